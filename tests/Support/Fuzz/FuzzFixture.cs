using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SharpSignals.Tests.Support;

/// <summary>One way a fuzzed request presents itself: a label for the report and the <c>Authorization</c> value, if any.</summary>
internal sealed record FuzzCredential(string Label, string? Authorization);

/// <summary>
/// What the fuzzer needs from a running server, made through its own HTTP API with the admin token:
/// a token of every kind the server takes (issue 19) and real ids to put in routes, queries and
/// bodies, so that generated requests get past routing and authorisation into the code behind them.
/// Every URL it gives the server points at loopback.
/// </summary>
internal sealed class FuzzFixture
{
    /// <summary>A loopback port nothing listens on: push targets and sources of the fixture point here (a refused connection, never a request elsewhere).</summary>
    public const string DeadLoopbackUrl = "http://127.0.0.1:9";

    /// <summary>The topic the fixture's topic tokens name.</summary>
    public const string Topic = "fuzz";

    public required IReadOnlyList<FuzzCredential> Credentials { get; init; }

    /// <summary>Real stream ids: an outbound poll stream (first; SSE and stream subscriptions use it), an outbound push stream and an inbound push stream.</summary>
    public required IReadOnlyList<string> StreamIds { get; init; }

    /// <summary>Ids that a generated DELETE may take, so that it cannot remove what the other requests use.</summary>
    public required IReadOnlyList<string> ExpendableStreamIds { get; init; }

    public required IReadOnlyList<string> ExpendableClientIds { get; init; }

    public required IReadOnlyList<string> ClientIds { get; init; }

    public required IReadOnlyList<string> Jtis { get; init; }

    public required IReadOnlyList<string> Projects { get; init; }

    /// <summary>Topic tokens (<c>subscribe</c> and <c>broadcast</c> for <see cref="Topic"/>, <c>subscribe</c> for the poll stream), for bodies and /ws frames.</summary>
    public required IReadOnlyList<string> TopicTokens { get; init; }

    /// <summary>The outbound poll stream SSE and /ws stream subscriptions read.</summary>
    public string PollStreamId => StreamIds[0];

    /// <summary>A <c>subscribe</c> topic token for <see cref="PollStreamId"/>: the stream's SSE and /ws credential.</summary>
    public required string StreamTopicToken { get; init; }

    /// <summary>
    /// Makes the fixture on the server <paramref name="http"/> points at. <paramref name="topicToken"/>
    /// signs a topic token (topic, scope) with a key the server trusts (<c>SharpSignals:Realtime:TrustedKeys</c>).
    /// </summary>
    public static async Task<FuzzFixture> PrepareAsync(HttpClient http, string adminToken, Func<string, string, string> topicToken)
    {
        var admin = new AuthenticationHeaderValue("Bearer", adminToken.Trim());
        var iat = (string)(await SendAsync(http, HttpMethod.Post, "/iat", admin, new JsonObject { ["project"] = "p1", ["expires_in"] = 3600 }))["token"]!;

        var credentials = new List<FuzzCredential>
        {
            new("none", null),
            new("garbage", "Bearer not-a-token"),
            new("malformed-jwt", "Bearer eyJ.eyJ.x"),
            new("empty-bearer", "Bearer "),
            new("basic-garbage", "Basic %%%"),
            new("admin", admin.ToString()),
            new("iat", "Bearer " + iat),
        };

        var clientIds = new List<string>();
        string? allScopes = null;
        foreach (var scope in new[] { "ssf.manage", "ssf.read", "event.publish", "ssf.manage ssf.read event.publish" })
        {
            var registered = await SendAsync(http, HttpMethod.Post, "/register", new AuthenticationHeaderValue("Bearer", iat), new JsonObject { ["client_name"] = "fuzz", ["scope"] = scope });
            var clientId = (string)registered["client_id"]!;
            var secret = (string)registered["client_secret"]!;
            var access = "Bearer " + (string)registered["access_token"]!;
            clientIds.Add(clientId);
            credentials.Add(new("client " + scope, access));
            credentials.Add(new("basic " + scope, "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(clientId + ":" + secret))));
            allScopes = access;
        }

        var owner = AuthenticationHeaderValue.Parse(allScopes!);
        var poll = await CreateStreamAsync(http, owner, new JsonObject { ["delivery"] = new JsonObject { ["method"] = "urn:ietf:rfc:8936" } });
        var push = await CreateStreamAsync(http, owner, new JsonObject { ["delivery"] = new JsonObject { ["method"] = "urn:ietf:rfc:8935", ["endpoint_url"] = DeadLoopbackUrl + "/push" } });
        var inbound = await SendAsync(http, HttpMethod.Post, "/ssf/streams", owner, new JsonObject
        {
            ["direction"] = "inbound",
            ["source"] = new JsonObject { ["issuer"] = DeadLoopbackUrl, ["jwks_uri"] = DeadLoopbackUrl + "/jwks.json" },
        });
        var inboundId = (string)inbound["stream_id"]!;
        credentials.Add(new("push credential", (string)inbound["delivery"]!["authorization_header"]!));
        var streamCredential = await SendAsync(http, HttpMethod.Post, $"/ssf/streams/{poll}/credential", owner, body: null);
        credentials.Add(new("stream credential", (string)streamCredential["authorization_header"]!));

        var expendableStream = await CreateStreamAsync(http, owner, new JsonObject { ["delivery"] = new JsonObject { ["method"] = "urn:ietf:rfc:8936" } });
        var expendableClient = (string)(await SendAsync(http, HttpMethod.Post, "/register", new AuthenticationHeaderValue("Bearer", iat), new JsonObject { ["client_name"] = "expendable" }))["client_id"]!;

        var published = await SendAsync(http, HttpMethod.Post, "/events", owner, JsonNode.Parse("""{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"initiating_entity":"admin"}},"sub_id":{"format":"email","email":"fuzz@example.com"}}""")!);

        var streamTopic = topicToken(poll, "subscribe");
        var topicTokens = new[] { topicToken(Topic, "subscribe"), topicToken(Topic, "broadcast"), streamTopic, topicToken("other", "subscribe") };
        credentials.Add(new("topic subscribe", "Bearer " + topicTokens[0]));
        credentials.Add(new("topic broadcast", "Bearer " + topicTokens[1]));
        credentials.Add(new("topic stream", "Bearer " + streamTopic));

        return new FuzzFixture
        {
            Credentials = credentials,
            StreamIds = [poll, push, inboundId],
            ExpendableStreamIds = [expendableStream],
            ExpendableClientIds = [expendableClient],
            ClientIds = clientIds,
            Jtis = [(string)published["jti"]!],
            Projects = ["p1", "default"],
            TopicTokens = topicTokens,
            StreamTopicToken = streamTopic,
        };
    }

    private static async Task<string> CreateStreamAsync(HttpClient http, AuthenticationHeaderValue owner, JsonObject body) =>
        (string)(await SendAsync(http, HttpMethod.Post, "/ssf/streams", owner, body))["stream_id"]!;

    private static async Task<JsonNode> SendAsync(HttpClient http, HttpMethod method, string path, AuthenticationHeaderValue authorization, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Preparing the fuzz fixture: {method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
