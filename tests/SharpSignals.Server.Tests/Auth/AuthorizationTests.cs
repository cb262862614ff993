using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Auth;

public sealed class AuthorizationTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new SsfTestServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NoToken_Is401WithAPlainBearerChallenge()
    {
        using var response = await _server.Factory.CreateClient().GetAsync(new Uri("/ssf/streams", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task TokenInTheQuery_IsNotAccepted()
    {
        var token = await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "admin.token"));

        using var response = await _server.Factory.CreateClient().GetAsync(new Uri($"/ssf/streams?access_token={token}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task MissingScope_Is403WithInsufficientScope()
    {
        var (reader, _, _) = await _server.RegisterClientAsync(scope: "ssf.read");

        using var response = await reader.PostAsJsonAsync("/ssf/streams", new { description = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", error_description=\"The token lacks the ssf.manage scope.\", scope=\"ssf.manage\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task OtherReceiversStream_Is404AndNotListed()
    {
        var (alice, _, _) = await _server.RegisterClientAsync();
        var (bob, _, _) = await _server.RegisterClientAsync();
        var stream = await SsfTestServer.CreateStreamAsync(alice, new { description = "alice's" });
        var streamId = (string)stream["stream_id"]!;

        using var read = await bob.GetAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
        using var delete = await bob.DeleteAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
        using var status = await bob.GetAsync(new Uri($"/ssf/status?stream_id={streamId}", UriKind.Relative));
        using var poll = await bob.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true });
        var bobsList = await bob.GetFromJsonAsync<JsonElement>("/ssf/streams");
        var adminList = await _server.Admin.GetFromJsonAsync<JsonElement>("/ssf/streams");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, poll.StatusCode);
        Assert.Equal(0, bobsList.GetArrayLength());
        Assert.Equal(1, adminList.GetArrayLength());
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task ClientCredentials_IssueAWorkingShortLivedToken(string method)
    {
        var (_, clientId, secret) = await _server.RegisterClientAsync(scope: "ssf.read ssf.manage");
        var client = _server.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token");
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "ssf.read" };
        if (method == "basic")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        }
        else
        {
            form["client_id"] = clientId;
            form["client_secret"] = secret;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.InRange(body.GetProperty("expires_in").GetInt32(), 1, 3600);
        Assert.Equal("ssf.read", body.GetProperty("scope").GetString());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/ssf/streams", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/ssf/streams", new { })).StatusCode);
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_IsInvalidClient()
    {
        var (_, clientId, _) = await _server.RegisterClientAsync();

        using var response = await _server.Factory.CreateClient().PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = "wrong",
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Register_WithoutAValidInitialAccessToken_Is401()
    {
        var client = _server.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "made-up");

        using var response = await client.PostAsJsonAsync("/register", new { client_name = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedClient_TokensStopWorking()
    {
        var (client, clientId, _) = await _server.RegisterClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/ssf/streams", UriKind.Relative))).StatusCode);

        using var revoke = await _server.Admin.DeleteAsync(new Uri($"/admin/clients/{clientId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/ssf/streams", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Secrets_AreNeverStoredInTheClear()
    {
        var (client, _, secret) = await _server.RegisterClientAsync();
        var accessToken = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var adminToken = await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "admin.token"));

        // The database and its write-ahead log, as bytes on disk.
        var text = string.Concat(Directory.GetFiles(_server.DataDirectory, "sharpsignals.db*").Select(f =>
        {
            using var file = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(file, Encoding.Latin1);
            return reader.ReadToEnd();
        }));
        Assert.NotEmpty(text);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(adminToken, text, StringComparison.Ordinal);
    }
}
