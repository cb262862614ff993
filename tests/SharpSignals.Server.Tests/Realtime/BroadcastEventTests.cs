using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>
/// <c>POST /broadcast</c> with an <c>event</c>: the event is published as a SET into the caller's
/// project (durable, routed like <c>POST /events</c>) and the message still reaches the topic.
/// </summary>
public sealed class BroadcastEventTests : IAsyncLifetime
{
    private const string Topic = "alerts";

    private readonly TopicTokens _tokens = new();
    private SsfTestServer _server = null!;
    private HttpClient _anonymous = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Realtime:TrustedKeys:0"] = _tokens.PublicKeyPem });
        _anonymous = new HttpClient { BaseAddress = new Uri(_server.Issuer) };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Broadcast_WithEvent_LandsOnTheProjectsPollStreamOnlyAndTheTopicGetsTheMessage()
    {
        var (publisher, _, _) = await _server.RegisterClientAsync("p1");
        var (otherProject, _, _) = await _server.RegisterClientAsync("p2");
        var streamId = await CreatePollStreamAsync(publisher);
        var elsewhere = await CreatePollStreamAsync(otherProject);
        await using var subscriber = await SubscribeAsync();

        using var response = await BroadcastAsync(publisher, new { topic = Topic, message = "session revoked for alice", token = _tokens.Issue(Topic, "broadcast"), @event = Event("alice@example.com") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var jti = (string)answer["jti"]!;
        Assert.Equal(1, (int)answer["subscribers"]!);
        Assert.Equal(1, (int)answer["streams"]!);
        var frame = await subscriber.ReceiveAsync("message");
        Assert.Equal("session revoked for alice", (string?)frame["message"]);
        Assert.Equal((long)answer["id"]!, (long)frame["id"]!);

        // Durable and routed as POST /events would: the project's stream has it, the other project's not.
        var polled = Assert.Single((await SsfTestServer.PollAsync(publisher, streamId, new { returnImmediately = true }))["sets"]!.AsObject());
        var validation = await _server.ValidateAsync(polled.Value!.GetValue<string>());
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal("alice@example.com", (string?)JsonNode.Parse(validation.Set!.Subject!.ToJson())!["email"]);
        Assert.Empty((await SsfTestServer.PollAsync(otherProject, elsewhere, new { returnImmediately = true }))["sets"]!.AsObject());
        using var stored = await publisher.GetAsync(new Uri($"/events/{jti}", UriKind.Relative));
        Assert.Equal("p1", (string?)(await stored.Content.ReadFromJsonAsync<JsonObject>())!["project"]);
    }

    [Fact]
    public async Task Broadcast_WithEventAndNoMessage_RelaysTheSignedSet()
    {
        var (publisher, _, _) = await _server.RegisterClientAsync("p1");
        await using var subscriber = await SubscribeAsync();

        using var response = await BroadcastAsync(publisher, new { topic = Topic, token = _tokens.Issue(Topic, "broadcast"), @event = Event("bob@example.com") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jti = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["jti"]!;
        var relayed = (string)(await subscriber.ReceiveAsync("message"))["message"]!;
        var validation = await _server.ValidateAsync(relayed);
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal(jti, validation.Set!.Jti);
    }

    [Fact]
    public async Task Broadcast_WithEvent_RefusedCasesAnswerTheirErrorAndChangeNothing()
    {
        var (publisher, _, _) = await _server.RegisterClientAsync("p1");
        var (reader, _, _) = await _server.RegisterClientAsync("p1", scope: "ssf.read");
        var streamId = await CreatePollStreamAsync(publisher);
        await using var subscriber = await SubscribeAsync();
        var broadcast = _tokens.Issue(Topic, "broadcast");
        var cases = new (string Name, HttpClient Client, string? Bearer, object Body, HttpStatusCode Status, string Expected)[]
        {
            ("no publish credential", _anonymous, null, new { topic = Topic, message = "m", token = broadcast, @event = Event() }, HttpStatusCode.Unauthorized, "Bearer"),
            ("unknown publish credential", _anonymous, "not-a-token", new { topic = Topic, message = "m", token = broadcast, @event = Event() }, HttpStatusCode.Unauthorized, "error=\"invalid_token\""),
            ("no event.publish scope", reader, null, new { topic = Topic, message = "m", token = broadcast, @event = Event() }, HttpStatusCode.Forbidden, "scope=\"event.publish\""),
            ("topic token for subscribing", publisher, null, new { topic = Topic, message = "m", token = _tokens.Issue(Topic, "subscribe"), @event = Event() }, HttpStatusCode.Forbidden, "error=\"insufficient_scope\""),
            ("topic token for another topic", publisher, null, new { topic = Topic, message = "m", token = _tokens.Issue("other", "broadcast"), @event = Event() }, HttpStatusCode.Forbidden, "error=\"insufficient_scope\""),
            ("event without a subject", publisher, null, new { topic = Topic, message = "m", token = broadcast, @event = new { events = new Dictionary<string, object> { [StreamWebSocketTests.SessionRevokedType] = new { } } } }, HttpStatusCode.BadRequest, "event: "),
            ("event setting its own jti", publisher, null, new { topic = Topic, message = "m", token = broadcast, @event = Event(with: ("jti", "mine")) }, HttpStatusCode.BadRequest, "event: jti is set by the server"),
            ("event of an unknown shape", publisher, null, new { topic = Topic, message = "m", token = broadcast, @event = Event(with: ("events", new Dictionary<string, object> { [StreamWebSocketTests.SessionRevokedType] = new { initiating_entity = "nobody-knows" } })) }, HttpStatusCode.BadRequest, "event: events: "),
            ("event of a misspelt type", publisher, null, new { topic = Topic, message = "m", token = broadcast, @event = Event(with: ("events", new Dictionary<string, object> { [StreamWebSocketTests.SessionRevokedType + "s"] = new { initiating_entity = "admin" } })) }, HttpStatusCode.BadRequest, $"event: events: unknown event type '{StreamWebSocketTests.SessionRevokedType}s' (did you mean '{StreamWebSocketTests.SessionRevokedType}'?)"),
            ("event not an object", publisher, null, new { topic = Topic, message = "m", token = broadcast, @event = "session revoked" }, HttpStatusCode.BadRequest, "event must be a JSON object"),
            ("no message and no event", publisher, null, new { topic = Topic, token = broadcast }, HttpStatusCode.BadRequest, "message is required"),
        };

        foreach (var (name, client, bearer, body, status, expected) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/broadcast") { Content = JsonContent.Create(body) };
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await client.SendAsync(request);
            var detail = status == HttpStatusCode.BadRequest
                ? (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]
                : response.Headers.WwwAuthenticate.ToString();
            Assert.True(status == response.StatusCode, $"{name}: {response.StatusCode}");
            Assert.True(detail?.Contains(expected, StringComparison.Ordinal) == true, $"{name}: {detail}");
            if (status == HttpStatusCode.BadRequest)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Null(await subscriber.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Empty((await SsfTestServer.PollAsync(publisher, streamId, new { returnImmediately = true }))["sets"]!.AsObject());
    }

    /// <summary>The body of <c>POST /events</c> for a session-revoked event, with other members added.</summary>
    private static Dictionary<string, object> Event(string email = "alice@example.com", params (string Name, object Value)[] with)
    {
        var body = new Dictionary<string, object>
        {
            ["events"] = new Dictionary<string, object> { [StreamWebSocketTests.SessionRevokedType] = new { initiating_entity = "admin" } },
            ["sub_id"] = new { format = "email", email },
        };
        foreach (var (name, value) in with)
        {
            body[name] = value;
        }

        return body;
    }

    private static async Task<string> CreatePollStreamAsync(HttpClient client) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { StreamWebSocketTests.SessionRevokedType } }))["stream_id"]!;

    private async Task<WsClient> SubscribeAsync()
    {
        var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic = Topic, token = _tokens.Issue(Topic, "subscribe") });
        await ws.ReceiveAsync("subscribed");
        return ws;
    }

    private static Task<HttpResponseMessage> BroadcastAsync(HttpClient client, object body) =>
        client.PostAsync(new Uri("/broadcast", UriKind.Relative), new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
}
