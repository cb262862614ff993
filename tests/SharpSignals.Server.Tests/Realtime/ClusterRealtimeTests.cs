using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Postgres;
using SharpSignals.Storage.Topics;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>
/// Real-time channels across two server nodes sharing one real PostgreSQL database, each with its own
/// data directory: topic messages and stream SETs reach subscribers on the other node, ids mean the
/// same on both, and a client resumes on whichever node it reconnects to.
/// </summary>
public sealed class ClusterRealtimeTests : IAsyncLifetime
{
    /// <summary>Both nodes sign as one issuer, as the nodes of a deployment do.</summary>
    private const string SharedIssuer = "https://ssf.cluster.test";

    private readonly TopicTokens _tokens = new();
    private readonly string _database = PostgresTestServer.Instance.CreateDatabase();
    private SsfTestServer _nodeA = null!;
    private SsfTestServer _nodeB = null!;
    private HttpClient _httpA = null!;
    private HttpClient _httpB = null!;

    public Task InitializeAsync()
    {
        // One after the other: the first creates the schema and the issuer key the second then shares.
        _nodeA = SsfTestServer.StartListening(NodeSettings());
        _nodeB = SsfTestServer.StartListeningBeside(_nodeA, NodeSettings());
        _httpA = new HttpClient { BaseAddress = new Uri(_nodeA.Issuer) };
        _httpB = new HttpClient { BaseAddress = new Uri(_nodeB.Issuer) };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _httpA.Dispose();
        _httpB.Dispose();
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
        PostgresTestServer.Instance.DropDatabase(_database);
        _tokens.Dispose();
    }

    [Fact]
    public async Task Broadcast_OnNodeA_ReachesSubscribersOnNodeB_SignedAndVerifiableWithEitherNodesJwks()
    {
        var (signed, plain) = await SubscribeBothWaysAsync(_nodeB, "news");
        await using var signedClient = signed;
        await using var plainClient = plain;

        var answer = await BroadcastAsync(_httpA, "news", "hello from A");

        var frame = await signed.ReceiveAsync("message");
        Assert.Equal("hello from A", await plain.ReceiveTextAsync());
        Assert.Equal(("hello from A", (long)answer["id"]!), ((string?)frame["message"], (long)frame["id"]!));
        foreach (var jwksFrom in new[] { _httpA, _httpB })
        {
            var jwks = new JsonWebKeySet(await jwksFrom.GetStringAsync(new Uri("/jwks.json", UriKind.Relative)));
            var result = await new JsonWebTokenHandler().ValidateTokenAsync((string)frame["sig"]!, new TokenValidationParameters
            {
                ValidIssuer = SharedIssuer,
                ValidateAudience = false,
                ValidateLifetime = false,
                IssuerSigningKeys = jwks.Keys,
            });
            Assert.True(result.IsValid, result.Exception?.Message);
            Assert.Equal(("hello from A", "news"), (result.Claims["message"], result.Claims["topic"]));
            Assert.Equal((long)frame["id"]!, Convert.ToInt64(result.Claims["id"], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Broadcast_LargerThanOneNotice_ReachesTheOtherNodeWhole()
    {
        var (signed, plain) = await SubscribeBothWaysAsync(_nodeB, "big");
        await using var signedClient = signed;
        await using var plainClient = plain;
        var large = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"{i:D5}é"));

        await BroadcastAsync(_httpA, "big", large);
        await BroadcastAsync(_httpA, "big", "small after it");

        Assert.Equal(large, (string?)(await signed.ReceiveAsync("message"))["message"]);
        Assert.Equal("small after it", (string?)(await signed.ReceiveAsync("message"))["message"]);
        Assert.Equal(large, await plain.ReceiveTextAsync());
        Assert.Equal("small after it", await plain.ReceiveTextAsync());
    }

    [Fact]
    public async Task Subscribe_ReconnectingToTheOtherNodeWithSince_GetsWhatItMissedFromBothNodesInIdOrder()
    {
        long lastSeen;
        await using (var onA = await SubscribeAsync(_nodeA, "feed"))
        {
            await BroadcastAsync(_httpA, "feed", "one");
            lastSeen = (long)(await onA.ReceiveAsync("message"))["id"]!;
        }

        var two = await BroadcastAsync(_httpB, "feed", "two");
        var three = await BroadcastAsync(_httpA, "feed", "three");
        Assert.Equal((lastSeen + 1, lastSeen + 2), ((long)two["id"]!, (long)three["id"]!));

        await using var onB = await WsClient.ConnectAsync(_nodeB.Issuer);
        await onB.SendAsync(new { type = "subscribe", topic = "feed", token = _tokens.Issue("feed", "subscribe"), since = lastSeen });
        Assert.Equal("two", (string?)(await onB.ReceiveAsync("message"))["message"]);
        Assert.Equal("three", (string?)(await onB.ReceiveAsync("message"))["message"]);
        Assert.Equal(lastSeen + 2, (long)(await onB.ReceiveAsync("subscribed"))["last_id"]!);

        // Live again, from either node, each once and in order.
        await BroadcastAsync(_httpA, "feed", "four");
        await BroadcastAsync(_httpB, "feed", "five");
        Assert.Equal("four", (string?)(await onB.ReceiveAsync("message"))["message"]);
        Assert.Equal("five", (string?)(await onB.ReceiveAsync("message"))["message"]);
        Assert.Null(await onB.TryReceiveTextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Broadcasts_OnBothNodesAtOnce_ReachEverySubscriberOnceInIdOrder()
    {
        await using var onA = await SubscribeAsync(_nodeA, "busy");
        await using var onB = await SubscribeAsync(_nodeB, "busy");
        const int Count = 40;

        var answers = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => BroadcastAsync(i % 2 == 0 ? _httpA : _httpB, "busy", $"m{i}")));

        var ids = answers.Select(a => (long)a["id"]!).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), ids);
        foreach (var subscriber in new[] { onA, onB })
        {
            var frames = new List<JsonObject>();
            for (var i = 0; i < Count; i++)
            {
                frames.Add(await subscriber.ReceiveAsync("message"));
            }

            Assert.Equal(ids, frames.Select(f => (long)f["id"]!));
            Assert.Equal(answers.Select(a => (long)a["id"]!).Zip(Enumerable.Range(0, Count), (id, i) => (id, $"m{i}")).OrderBy(p => p.id), frames.Select(f => ((long)f["id"]!, (string)f["message"]!)));
            Assert.Null(await subscriber.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
        }
    }

    [Fact]
    public async Task TopicMessage_WhoseNoticeIsLost_ReachesTheOtherNodeAtItsNextCheck()
    {
        var (signed, plain) = await SubscribeBothWaysAsync(_nodeB, "quiet");
        await using var signedClient = signed;
        await using var plainClient = plain;

        // A message kept in the database with no notice sent, as when a notice is lost on its way.
        await using (var store = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = _database }))
        {
            await store.AppendTopicMessageAsync("quiet", "nobody told B", id => $$"""{"type":"message","topic":"quiet","id":{{id}},"message":"nobody told B","sig":"-"}""", new TopicRetention(TimeSpan.FromMinutes(5), 100), CancellationToken.None);
        }

        Assert.Equal("nobody told B", await plain.ReceiveTextAsync());
        Assert.Equal("nobody told B", (string?)(await signed.ReceiveAsync("message"))["message"]);
    }

    [Fact]
    public async Task Topics_WhileTheDatabaseIsGone_Answer503AndAnErrorFrame()
    {
        PostgresTestServer.Instance.DropDatabase(_database);

        using var response = await _httpA.PostAsJsonAsync("/broadcast", new { topic = "t", message = "m", token = _tokens.Issue("t", "broadcast") });
        await using var ws = await WsClient.ConnectAsync(_nodeB.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic = "t", token = _tokens.Issue("t", "subscribe") });
        var error = await ws.ReceiveAsync("error");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(("temporarily_unavailable", "t"), ((string?)error["error"], (string?)error["topic"]));
    }

    [Fact]
    public async Task StreamSet_PublishedOnNodeA_ReachesAWebSocketSubscriberOnNodeBLive()
    {
        var (client, _, _) = await _nodeA.RegisterClientAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;

        // Node B learns of the new stream from a notice or its next check.
        await using var onB = await WsClient.ConnectAsync(_nodeB.Issuer);
        var answer = await Eventually.GetAsync(
            async () =>
            {
                await onB.SendAsync(new { type = "subscribe", stream_id = streamId, token });
                return await onB.ReceiveJsonAsync();
            },
            a => (string?)a["type"] != "error",
            "node B to know the stream",
            describe: a => a.ToJsonString());
        Assert.Equal("subscribed", (string?)answer["type"]);

        var jtiAtA = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("carol@example.com"));

        var set = await onB.ReceiveAsync("set");
        Assert.Equal(streamId, (string?)set["stream_id"]);
        var handler = new JsonWebTokenHandler();
        var claims = handler.ReadJsonWebToken((string)set["set"]!);
        Assert.Equal(SharedIssuer, claims.Issuer);
        Assert.Contains("carol@example.com", claims.GetPayloadValue<object>("sub_id").ToString(), StringComparison.Ordinal);
        using var stored = await client.GetAsync(new Uri($"/events/{jtiAtA}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    [Fact]
    public async Task StreamSet_PublishedOnNodeA_ReachesAnSseSubscriberOnNodeBLive()
    {
        var (client, _, _) = await _nodeA.RegisterClientAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;
        using var onB = new HttpClient { BaseAddress = new Uri(_nodeB.Issuer), Timeout = TimeSpan.FromSeconds(30) };
        onB.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;

        // Node B learns of the new stream from a notice or its next check.
        await Eventually.TrueAsync(
            async () =>
            {
                using var known = await onB.GetAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
                return known.StatusCode == HttpStatusCode.OK;
            },
            "node B to know the stream");

        using var events = await StreamSseTests.OpenAsync(onB, streamId, token, lastEventId: null);
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("erin@example.com"));

        var received = await events.NextAsync();
        Assert.Equal("set", received.Event);
        Assert.Equal(streamId, (string?)received.Data["stream_id"]);
        Assert.Contains("erin@example.com", new JsonWebTokenHandler().ReadJsonWebToken((string)received.Data["set"]!).GetPayloadValue<object>("sub_id").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BroadcastWithEvent_OnNodeA_IsPolledOnNodeBAndRelayedToNodeBsSubscribers()
    {
        var (client, _, _) = await _nodeA.RegisterClientAsync();
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;
        await using var onB = await SubscribeAsync(_nodeB, "signals");
        var body = new
        {
            topic = "signals",
            token = _tokens.Issue("signals", "broadcast"),
            @event = new
            {
                events = new Dictionary<string, object> { [StreamWebSocketTests.SessionRevokedType] = new { initiating_entity = "policy" } },
                sub_id = new { format = "email", email = "dave@example.com" },
            },
        };

        using var response = await client.PostAsJsonAsync("/broadcast", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jti = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["jti"]!;

        var relayed = new JsonWebTokenHandler().ReadJsonWebToken((string)(await onB.ReceiveAsync("message"))["message"]!);
        Assert.Equal(jti, relayed.Id);
        using var onBHttp = _nodeB.Factory.CreateClient();
        onBHttp.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        var polled = await SsfTestServer.PollAsync(onBHttp, streamId, new { returnImmediately = true });
        Assert.Contains("dave@example.com", new JsonWebTokenHandler().ReadJsonWebToken(Assert.Single(polled["sets"]!.AsObject()).Value!.GetValue<string>()).GetPayloadValue<object>("sub_id").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicsNobodyFollowsOnANode_AreForgottenThere_AndCanBeFollowedAgain()
    {
        var settings = NodeSettings();
        settings["SharpSignals:Realtime:TopicRetentionSeconds"] = "2";
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = SsfTestServer.StartListeningBeside(_nodeA, settings, clock);
        using var http = new HttpClient { BaseAddress = new Uri(node.Issuer) };
        await using var ws = await WsClient.ConnectAsync(node.Issuer);
        for (var i = 0; i < 10; i++)
        {
            await ws.SendAsync(new { type = "subscribe", topic = $"once:{i}", token = _tokens.Issue($"once:{i}", "subscribe") });
            await ws.ReceiveAsync("subscribed");
        }

        for (var i = 0; i < 10; i++)
        {
            await ws.SendAsync(new { type = "unsubscribe", topic = $"once:{i}" });
        }

        // One connection's frames are handled in order: once this is answered, the ten are left.
        await ws.SendAsync(new { type = "subscribe", topic = "kept", token = _tokens.Issue("kept", "subscribe") });
        await ws.ReceiveAsync("subscribed");
        var followedBefore = await TopicsAsync(node);
        clock.Advance(TimeSpan.FromSeconds(1.5));

        // The next subscription sweeps first (a sweep is due every half window), then follows anew.
        await using var again = await SubscribeAsync(node, "once:0");
        var followedAfter = await TopicsAsync(node);
        var answer = await BroadcastAsync(http, "once:0", "still here");

        Assert.Equal(11, followedBefore);
        Assert.Equal(2, followedAfter);
        Assert.Equal(1, (int)answer["subscribers"]!);
        Assert.Equal("still here", (string?)(await again.ReceiveAsync("message"))["message"]);
    }

    private static async Task<int> TopicsAsync(SsfTestServer node) =>
        (int)(await node.Admin.GetFromJsonAsync<JsonObject>("/admin/metrics"))!["realtime_topics"]!;

    private Dictionary<string, string?> NodeSettings() => new()
    {
        ["SharpSignals:Storage"] = "postgres",
        ["ConnectionStrings:Postgres"] = _database,
        ["SharpSignals:Issuer"] = SharedIssuer,
        ["SharpSignals:Realtime:TrustedKeys:0"] = _tokens.PublicKeyPem,
    };

    private async Task<WsClient> SubscribeAsync(SsfTestServer node, string topic)
    {
        var ws = await WsClient.ConnectAsync(node.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic, token = _tokens.Issue(topic, "subscribe") });
        await ws.ReceiveAsync("subscribed");
        return ws;
    }

    /// <summary>A JSON-frame subscriber (signed messages) and a notiflux text-command subscriber (bare messages) of a topic on a node.</summary>
    private async Task<(WsClient Signed, WsClient Plain)> SubscribeBothWaysAsync(SsfTestServer node, string topic)
    {
        var signed = await SubscribeAsync(node, topic);
        var plain = await WsClient.ConnectAsync(node.Issuer);
        await plain.CommandAsync($"/subscribe {topic} {_tokens.Issue(topic, "subscribe")}");
        return (signed, plain);
    }

    private async Task<JsonObject> BroadcastAsync(HttpClient node, string topic, string message)
    {
        using var response = await node.PostAsJsonAsync("/broadcast", new { topic, message, token = _tokens.Issue(topic, "broadcast") });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
