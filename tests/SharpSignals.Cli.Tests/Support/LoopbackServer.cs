using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace SharpSignals.Cli.Tests.Support;

/// <summary>
/// A SharpSignals server on a real loopback port, shared by the tests of one collection, with an
/// admin HTTP client for checking what the CLI did to it. Push retries are short so that a push
/// stream to a closed port turns its events into dead letters within seconds.
/// </summary>
public sealed class LoopbackServer : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private ServerFactory? _factory;

    public string Url { get; private set; } = "";

    public string DataDirectory => _data.Path;

    public string AdminTokenFile => Path.Combine(_data.Path, "admin.token");

    public string AdminToken => File.ReadAllText(AdminTokenFile).Trim();

    public HttpClient Admin { get; private set; } = null!;

    public Task InitializeAsync()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        _factory = new ServerFactory(_data.Path, Url, new Dictionary<string, string?>
        {
            ["SharpSignals:Push:InitialBackoffSeconds"] = "1",
            ["SharpSignals:Push:MaxBackoffSeconds"] = "1",
            ["SharpSignals:Push:MaxRetrySeconds"] = "1",
            ["SharpSignals:Push:TimeoutSeconds"] = "2",
            ["SharpSignals:Streams:MinVerificationIntervalSeconds"] = "0",
            ["SharpSignals:Streams:PollWaitSeconds"] = "2",
        });
        _factory.UseKestrel(port);
        _factory.StartServer();
        Admin = Client(AdminToken);
        return Task.CompletedTask;
    }

    /// <summary>A plain HTTP client to the server with a bearer token.</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url + "/") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public static async Task<HttpStatusCode> StatusOfAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }

    /// <summary>A port nothing listens on, for "server down".</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollectionDefinition : ICollectionFixture<LoopbackServer>
{
    public const string Name = "loopback server";
}
