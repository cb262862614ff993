using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Realtime;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Streams;

/// <summary>
/// Per-client quotas (docs/CONFIGURATION.md, "Quotas"), over HTTP on loopback with low limits: each
/// refusal is a problem naming its limit and setting, and changes nothing.
/// </summary>
public sealed class QuotaTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Quotas:MaxStreamsPerClient"] = "2",
            ["SharpSignals:Quotas:MaxSubjectsPerStream"] = "2",
            ["SharpSignals:Quotas:MaxLongPollsPerStream"] = "1",
            ["SharpSignals:Realtime:MaxConnectionsPerToken"] = "1",
            ["SharpSignals:Streams:PollWaitSeconds"] = "2",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Streams_PastTheClientsLimit_Are409NamingTheSetting_AndAdminStreamsAreNotCounted()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var first = await CreateStreamAsync(client);
        await CreateStreamAsync(client);

        using var refused = await client.PostAsJsonAsync("/ssf/streams", PollStream);
        var problem = await ProblemAsync(refused, HttpStatusCode.Conflict);
        using var admin = await _server.Admin.PostAsJsonAsync("/ssf/streams", PollStream);
        using var listed = await client.GetAsync("/ssf/streams");

        Assert.Contains("SharpSignals:Quotas:MaxStreamsPerClient", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
        Assert.Equal(2, (await listed.Content.ReadFromJsonAsync<JsonArray>())!.Count);

        // Deleting one makes room again.
        using var deleted = await client.DeleteAsync($"/ssf/streams?stream_id={first}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await CreateStreamAsync(client);
    }

    [Fact]
    public async Task Subjects_PastTheStreamsLimit_Are409NamingTheSetting_AndAKnownSubjectCanStillChange()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var streamId = await CreateStreamAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await AddSubjectAsync(client, streamId, "a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AddSubjectAsync(client, streamId, "b")).StatusCode);

        var added = await ProblemAsync(await AddSubjectAsync(client, streamId, "c"), HttpStatusCode.Conflict);
        using var removedNew = await client.PostAsJsonAsync("/ssf/subjects/remove", new { stream_id = streamId, subject = Email("d") });
        var removed = await ProblemAsync(removedNew, HttpStatusCode.Conflict);
        using var again = await AddSubjectAsync(client, streamId, "a");
        using var removedKnown = await client.PostAsJsonAsync("/ssf/subjects/remove", new { stream_id = streamId, subject = Email("b") });

        Assert.Contains("SharpSignals:Quotas:MaxSubjectsPerStream", added, StringComparison.Ordinal);
        Assert.Contains("SharpSignals:Quotas:MaxSubjectsPerStream", removed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removedKnown.StatusCode);
    }

    [Fact]
    public async Task LongPolls_PastTheStreamsLimit_Are429WithRetryAfter_WhilePollsThatReturnAtOnceAreServed()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var streamId = await CreateStreamAsync(client);
        var poll = new { returnImmediately = false };

        // Keep one long poll waiting (each waits PollWaitSeconds) until another is refused beside it.
        var waiting = new List<Task<HttpResponseMessage>>();
        var refused = await Eventually.GetAsync(
            async () =>
            {
                waiting.Add(client.PostAsJsonAsync($"/ssf/poll/{streamId}", poll));
                return await client.PostAsJsonAsync($"/ssf/poll/{streamId}", poll);
            },
            r => r.StatusCode == HttpStatusCode.TooManyRequests,
            "a second long poll refused");
        var problem = await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        using var immediate = await client.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true });

        Assert.Contains("SharpSignals:Quotas:MaxLongPollsPerStream", problem, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, immediate.StatusCode);

        // Once the waiting polls have answered, a long poll is taken again.
        foreach (var answered in await Task.WhenAll(waiting))
        {
            answered.Dispose();
        }

        using var later = await client.PostAsJsonAsync($"/ssf/poll/{streamId}", poll);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Sse_PastTheClientsLimit_Is429WithRetryAfter_AlsoWithAnotherAccessTokenOfTheSameClient()
    {
        var (client, clientId, secret) = await _server.RegisterClientAsync();
        var streamId = await CreateStreamAsync(client);
        var otherToken = await AccessTokenAsync(clientId, secret);
        using var http = new HttpClient { BaseAddress = new Uri(_server.Issuer), Timeout = TimeSpan.FromSeconds(30) };

        using (await StreamSseTests.OpenAsync(http, streamId, client.DefaultRequestHeaders.Authorization!.Parameter!, lastEventId: null))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{streamId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
            using var refused = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            Assert.Contains("SharpSignals:Realtime:MaxConnectionsPerToken", await ProblemAsync(refused, HttpStatusCode.TooManyRequests), StringComparison.Ordinal);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        // The first response has ended: its place is free, once the server has seen it go.
        await Eventually.TrueAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{streamId}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                return response.StatusCode == HttpStatusCode.OK;
            },
            "an SSE response admitted after the first one ended");
    }

    [Fact]
    public async Task WebSocket_PastTheClientsLimit_IsALimitErrorFrame_AlsoWithAnotherAccessTokenOfTheSameClient()
    {
        var (client, clientId, secret) = await _server.RegisterClientAsync();
        var streamId = await CreateStreamAsync(client);
        var otherToken = await AccessTokenAsync(clientId, secret);

        await using var first = await WsClient.ConnectAsync(_server.Issuer);
        await first.SendAsync(new { type = "subscribe", stream_id = streamId, token = client.DefaultRequestHeaders.Authorization!.Parameter! });
        await first.ReceiveAsync("subscribed");
        await using var second = await WsClient.ConnectAsync(_server.Issuer);
        await second.SendAsync(new { type = "subscribe", stream_id = streamId, token = otherToken });
        var error = await second.ReceiveJsonAsync();

        Assert.Equal("limit_exceeded", (string?)error["error"]);
        Assert.Contains("SharpSignals:Realtime:MaxConnectionsPerToken", (string?)error["description"], StringComparison.Ordinal);
    }

    internal static readonly object PollStream = new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } };

    internal static async Task<string> CreateStreamAsync(HttpClient client) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, PollStream))["stream_id"]!;

    internal static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!;
    }

    private static object Email(string name) => new { format = "email", email = $"{name}@example.com" };

    private static Task<HttpResponseMessage> AddSubjectAsync(HttpClient client, string streamId, string name) =>
        client.PostAsJsonAsync("/ssf/subjects/add", new { stream_id = streamId, subject = Email(name) });

    private async Task<string> AccessTokenAsync(string clientId, string secret)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.Issuer) };
        using var response = await http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
    }
}
