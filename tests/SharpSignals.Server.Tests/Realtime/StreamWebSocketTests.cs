using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>A poll stream read over <c>GET /ws</c>: subscribe, receive, acknowledge, disconnect, resume.</summary>
public sealed class StreamWebSocketTests : IAsyncLifetime
{
    private readonly TopicTokens _tokens = new();
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Realtime:TrustedKeys:0"] = _tokens.PublicKeyBase64 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Subscribe_DisconnectAndResume_NothingLostNothingRepeatedAfterTheAcknowledgedPosition()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevokedType } }))["stream_id"]!;

        // Three events before anyone listens.
        for (var i = 1; i <= 3; i++)
        {
            await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked($"u{i}@example.com"));
        }

        var first = await WsClient.ConnectAsync(_server.Issuer);
        await first.SendAsync(new { type = "subscribe", stream_id = streamId, token });
        var sets = new List<JsonObject> { await first.ReceiveAsync("set"), await first.ReceiveAsync("set"), await first.ReceiveAsync("set") };
        Assert.All(sets, s => Assert.Equal(streamId, (string?)s["stream_id"]));
        Assert.Equal(sets.Select(s => (long)s["position"]!).Order(), sets.Select(s => (long)s["position"]!));
        Assert.Equal("u1@example.com", await SubjectOf(sets[0]));

        // The first by jti, then everything through the second by position; the third stays unacknowledged.
        await first.SendAsync(new { type = "ack", stream_id = streamId, jti = (string)sets[0]["jti"]! });
        await first.SendAsync(new { type = "ack", stream_id = streamId, position = (long)sets[1]["position"]! });

        // A live one arrives while connected; then the network fails.
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("u4@example.com"));
        sets.Add(await first.ReceiveAsync("set"));
        Assert.Equal("u4@example.com", await SubjectOf(sets[3]));
        await WaitForPendingAsync(client, streamId, 2);
        first.Abort();
        await first.DisposeAsync();

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("u5@example.com"));

        // Reconnected without a position: the unacknowledged third and fourth come again, then the fifth.
        await using (var second = await WsClient.ConnectAsync(_server.Issuer))
        {
            await second.SendAsync(new { type = "subscribe", stream_id = streamId, token });
            var again = new[] { await second.ReceiveAsync("set"), await second.ReceiveAsync("set"), await second.ReceiveAsync("set") };
            Assert.Equal([(string)sets[2]["jti"]!, (string)sets[3]["jti"]!], again.Take(2).Select(s => (string)s["jti"]!));
            Assert.Equal("u5@example.com", await SubjectOf(again[2]));
            sets.Add(again[2]);
            Assert.Null(await second.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
        }

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("u6@example.com"));

        // Resuming after the fifth: only the sixth, nothing at or before the position given.
        await using var third = await WsClient.ConnectAsync(_server.Issuer);
        await third.SendAsync(new { type = "subscribe", stream_id = streamId, token, after = (long)sets[4]["position"]! });
        var sixth = await third.ReceiveAsync("set");
        Assert.Equal("u6@example.com", await SubjectOf(sixth));
        Assert.True((long)sixth["position"]! > (long)sets[4]["position"]!);
        Assert.Null(await third.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));

        await third.SendAsync(new { type = "ack", stream_id = streamId, position = (long)sixth["position"]! });
        await WaitForPendingAsync(client, streamId, 0);
    }

    [Fact]
    public async Task Subscribe_PausedThenEnabled_HoldsEventsUntilEnabled()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { SessionRevokedType } }))["stream_id"]!;
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendAsync(new { type = "subscribe", stream_id = streamId, token });
        await ws.ReceiveAsync("subscribed");

        using (var paused = await client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "paused" }))
        {
            paused.EnsureSuccessStatusCode();
        }

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("held@example.com"));
        Assert.Null(await ws.TryReceiveTextAsync(TimeSpan.FromMilliseconds(500)));

        using (var enabled = await client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "enabled" }))
        {
            enabled.EnsureSuccessStatusCode();
        }

        Assert.Equal("held@example.com", await SubjectOf(await ws.ReceiveAsync("set")));

        using (var disabled = await client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "disabled" }))
        {
            disabled.EnsureSuccessStatusCode();
        }

        Assert.Equal("stream_disabled", (string?)(await ws.ReceiveAsync("error"))["error"]);
    }

    [Fact]
    public async Task Subscribe_WithRefusedTokens_AnswersErrorsAndAcceptsTopicToken()
    {
        var (owner, _, _) = await _server.RegisterClientAsync();
        var (other, _, _) = await _server.RegisterClientAsync();
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(owner, new { events_requested = new[] { SessionRevokedType } }))["stream_id"]!;
        using var stranger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        var cases = new (string Token, string Error)[]
        {
            (other.DefaultRequestHeaders.Authorization!.Parameter!, "not_found"),
            (_tokens.Issue(streamId, "subscribe", TimeSpan.FromMinutes(-5)), "invalid_token"),
            (_tokens.Issue(streamId, "broadcast"), "insufficient_scope"),
            (_tokens.Issue("another-stream", "subscribe"), "insufficient_scope"),
            (_tokens.Issue(streamId, "subscribe", signWith: stranger), "invalid_token"),
            ("not-a-token", "invalid_token"),
        };
        foreach (var (token, error) in cases)
        {
            await ws.SendAsync(new { type = "subscribe", stream_id = streamId, token });
            var frame = await ws.ReceiveAsync("error");
            Assert.Equal(error, (string?)frame["error"]);
            Assert.Equal(streamId, (string?)frame["stream_id"]);
        }

        await SsfTestServer.PublishAsync(owner, SsfTestServer.SessionRevoked("topic@example.com"));
        await ws.SendAsync(new { type = "subscribe", stream_id = streamId, token = _tokens.Issue(streamId, "subscribe") });
        Assert.Equal("topic@example.com", await SubjectOf(await ws.ReceiveAsync("set")));
    }

    internal const string SessionRevokedType = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private async Task<string?> SubjectOf(JsonObject setFrame)
    {
        var result = await _server.ValidateAsync((string)setFrame["set"]!);
        Assert.True(result.IsValid, result.Error?.Description);
        return (string?)JsonNode.Parse(result.Set!.Subject!.ToJson())!["email"];
    }

    /// <summary>Waits until the stream has this many pending entries (acks are settled asynchronously to the frame).</summary>
    internal static Task WaitForPendingAsync(HttpClient client, string streamId, int count) =>
        Eventually.GetAsync(
            async () =>
            {
                using var response = await client.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true, maxEvents = 100, ack = Array.Empty<string>() });
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!["sets"]!.AsObject().Count;
            },
            pending => pending == count,
            $"stream {streamId} to have {count} pending entries",
            describe: pending => $"{pending} pending");
}
