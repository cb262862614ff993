using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Server.Tests.Support;

/// <summary>A running server on a fresh data directory, with helpers that speak its HTTP contract.</summary>
internal sealed class SsfTestServer : IAsyncDisposable
{
    private readonly TemporaryDirectory _data;
    private readonly IDictionary<string, string?>? _settings;
    private readonly TimeProvider? _time;
    private readonly Action<IServiceCollection>? _services;
    private readonly int? _port;
    private bool _stopped;
    private bool _handedOver;

    /// <param name="settings">Configuration, as <c>--Key=Value</c> would give it.</param>
    /// <param name="time">The server's clock, when the test moves it.</param>
    /// <param name="services">Replacements for the server's own services, for what a test cannot bring about for real (a machine short of CPU).</param>
    public SsfTestServer(IDictionary<string, string?>? settings = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
        : this(settings, time, port: null, data: null, services)
    {
    }

    private SsfTestServer(IDictionary<string, string?>? settings, TimeProvider? time, int? port, TemporaryDirectory? data, Action<IServiceCollection>? services = null)
    {
        _data = data ?? new TemporaryDirectory();
        _settings = settings;
        _time = time;
        _services = services;
        _port = port;
        Factory = new ServerFactory(_data.Path, settings, time, port is { } p ? $"http://127.0.0.1:{p}" : ServerFactory.Issuer, services);
        if (port is { } listenOn)
        {
            Factory.UseKestrel(listenOn);
            try
            {
                Factory.StartServer();
            }
            catch
            {
                Factory.Dispose();
                if (data is null)
                {
                    _data.Dispose();
                }

                throw;
            }
        }

        Admin = Factory.CreateAdminClient();
    }

    /// <summary>The server's issuer: every URL it advertises starts with it.</summary>
    public string Issuer => Factory.IssuerUrl;

    /// <summary>
    /// A server listening on a real loopback port with that URL as its issuer, so that other servers
    /// (and it) can reach it over HTTP: for tests of servers talking to each other.
    /// </summary>
    public static SsfTestServer StartListening(IDictionary<string, string?>? settings = null, TimeProvider? time = null) =>
        OnFreePort(port => new SsfTestServer(settings, time, port, data: null));

    /// <summary>
    /// Another node of <paramref name="cluster"/>'s cluster (settings naming the same PostgreSQL
    /// database), listening on its own port with its own data directory. The admin token is the
    /// cluster's (its hash is in the shared database), so its file is copied from the first node.
    /// </summary>
    public static SsfTestServer StartListeningBeside(SsfTestServer cluster, IDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var data = new TemporaryDirectory();
        Directory.CreateDirectory(data.Path);
        File.Copy(Path.Combine(cluster.DataDirectory, "admin.token"), Path.Combine(data.Path, "admin.token"));
        return OnFreePort(port => new SsfTestServer(settings, time, port, data));
    }

    /// <summary>
    /// Starts a server on a port that was free a moment ago, and on another if something took it
    /// meanwhile (an outgoing connection's ephemeral port, under load), at most three times.
    /// </summary>
    private static SsfTestServer OnFreePort(Func<int, SsfTestServer> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return start(FreePort());
            }
            catch (IOException ex) when (attempt < 3 && ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Stops the server as a shutdown would (hosted services stopped, connections closed); its data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Admin.Dispose();
        await Factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Stops this server if it runs and starts another on the same data directory, settings and (for a
    /// listening server) port, as after a restart. The new server owns the directory from then on:
    /// dispose both; only the new one deletes it.
    /// </summary>
    public async Task<SsfTestServer> RestartAsync()
    {
        await StopAsync();
        _handedOver = true;
        return new SsfTestServer(_settings, _time, _port, _data, _services);
    }

    public ServerFactory Factory { get; }

    public HttpClient Admin { get; }

    public string DataDirectory => _data.Path;

    /// <summary>The admin token the server wrote to its data directory on first start.</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(DataDirectory, "admin.token")).Trim();

    /// <summary>Registers a client through an initial access token (docs/API.md) and returns a client using its access token.</summary>
    public Task<(HttpClient Client, string ClientId, string Secret)> RegisterClientAsync(string project = "p1", string scope = "ssf.manage ssf.read event.publish") =>
        RegisterClientAsync(Admin, Factory.CreateClient(), project, scope);

    /// <summary>
    /// Registers a client with an IAT that <paramref name="admin"/> makes, through <paramref name="client"/>,
    /// which then carries the new client's access token: at the root or under a tenant's path alike.
    /// </summary>
    public static async Task<(HttpClient Client, string ClientId, string Secret)> RegisterClientAsync(HttpClient admin, HttpClient client, string project, string scope)
    {
        using var iat = await admin.PostAsJsonAsync("/iat", new { project, expires_in = 3600 });
        iat.EnsureSuccessStatusCode();
        var iatToken = (await iat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/register") { Content = JsonContent.Create(new { client_name = "test", scope }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", iatToken);
        using var registered = await client.SendAsync(request);
        registered.EnsureSuccessStatusCode();
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        return (client, body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!);
    }

    public static async Task<JsonObject> CreateStreamAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/ssf/streams", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<string> PublishAsync(HttpClient client, string json, string? project = null)
    {
        using var response = await client.PostAsync(project is null ? "/events" : $"/events?project={project}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jti").GetString()!;
    }

    public static async Task<JsonObject> PollAsync(HttpClient client, string streamId, object body)
    {
        using var response = await client.PostAsJsonAsync($"/ssf/poll/{streamId}", body);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Validates a SET this server signed, with the token library, against the published JWKS.</summary>
    public async Task<SetValidationResult> ValidateAsync(string token, string? audience = null)
    {
        var jwks = await Factory.CreateClient().GetStringAsync(new Uri("/jwks.json", UriKind.Relative));
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(jwks),
            ValidIssuers = [Issuer],
            ValidAudiences = audience is null ? [] : [audience],
        });
        return await validator.ValidateAsync(token, CancellationToken.None);
    }

    /// <summary>A session-revoked event about <paramref name="email"/>; <paramref name="reason"/> can tell events about one subject apart.</summary>
    public static string SessionRevoked(string email = "alice@example.com", string reason = "test") =>
        """{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"initiating_entity":"admin","reason_admin":{"en":""" + JsonSerializer.Serialize(reason) + """}}},"sub_id":{"format":"email","email":""" + JsonSerializer.Serialize(email) + "}}";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_handedOver)
        {
            _data.Dispose();
        }
    }
}
