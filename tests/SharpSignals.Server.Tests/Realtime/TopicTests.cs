using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>notiflux topics on <c>/ws</c> and <c>POST /broadcast</c>, with what this server adds: signatures, catching up, limits.</summary>
public sealed class TopicTests : IAsyncLifetime
{
    private readonly TopicTokens _tokens = new();
    private SsfTestServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        (_server, _http) = _tokens.StartServer(new Dictionary<string, string?>
        {
            ["SharpSignals:Realtime:SendBufferFrames"] = "8",
            ["SharpSignals:Realtime:MaxConnectionsPerToken"] = "2",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Broadcast_ToTextAndJsonSubscribers_RelaysNotifluxTextAndASignedFrame()
    {
        await using var plain = await WsClient.ConnectAsync(_server.Issuer);
        await plain.CommandAsync($"/subscribe campaign:1 {_tokens.Issue("campaign:1", "subscribe")}");
        await using var signed = await WsClient.ConnectAsync(_server.Issuer);
        await signed.SendAsync(new { type = "subscribe", topic = "campaign:1", token = _tokens.Issue("campaign:1", "subscribe") });
        await signed.ReceiveAsync("subscribed");

        var answer = await BroadcastAsync("campaign:1", "hello \"world\"", _tokens.Issue("campaign:1", "broadcast"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, (int)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["subscribers"]!);

        Assert.Equal("hello \"world\"", await plain.ReceiveTextAsync());
        var frame = await signed.ReceiveAsync("message");
        Assert.Equal("hello \"world\"", (string?)frame["message"]);

        // The signature: this server's issuer key, and the same topic, id and message.
        var jwks = new JsonWebKeySet(await _http.GetStringAsync(new Uri("/jwks.json", UriKind.Relative)));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync((string)frame["sig"]!, new TokenValidationParameters
        {
            ValidIssuer = _server.Issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = jwks.Keys,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("hello \"world\"", result.Claims["message"]);
        Assert.Equal("campaign:1", result.Claims["topic"]);
        Assert.Equal((long)frame["id"]!, Convert.ToInt64(result.Claims["id"], System.Globalization.CultureInfo.InvariantCulture));

        // Unsubscribed, the text client gets nothing more.
        await plain.CommandAsync("/unsubscribe campaign:1");
        await BroadcastAsync("campaign:1", "second", _tokens.Issue("campaign:1", "broadcast"));
        Assert.Equal("second", (string?)(await signed.ReceiveAsync("message"))["message"]);
        Assert.Null(await plain.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Subscribe_WithSince_GetsWhatWasMissedOnceThenLive()
    {
        var subscribe = _tokens.Issue("news", "subscribe");
        var broadcast = _tokens.Issue("news", "broadcast");
        long lastSeen;
        await using (var first = await WsClient.ConnectAsync(_server.Issuer))
        {
            await first.SendAsync(new { type = "subscribe", topic = "news", token = subscribe });
            await first.ReceiveAsync("subscribed");
            await BroadcastAsync("news", "one", broadcast);
            lastSeen = (long)(await first.ReceiveAsync("message"))["id"]!;
        }

        await BroadcastAsync("news", "two", broadcast);
        await BroadcastAsync("news", "three", broadcast);

        await using var again = await WsClient.ConnectAsync(_server.Issuer);
        await again.SendAsync(new { type = "subscribe", topic = "news", token = subscribe, since = lastSeen });
        Assert.Equal("two", (string?)(await again.ReceiveAsync("message"))["message"]);
        Assert.Equal("three", (string?)(await again.ReceiveAsync("message"))["message"]);
        await again.ReceiveAsync("subscribed");
        await BroadcastAsync("news", "four", broadcast);
        Assert.Equal("four", (string?)(await again.ReceiveAsync("message"))["message"]);
        Assert.Null(await again.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Broadcast_WithRefusedTokens_Is401Or403AndRelaysNothing()
    {
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic = "t", token = _tokens.Issue("t", "subscribe") });
        await ws.ReceiveAsync("subscribed");
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cases = new (string Token, HttpStatusCode Status, string Error)[]
        {
            (_tokens.Issue("t", "broadcast", TimeSpan.FromMinutes(-5)), HttpStatusCode.Unauthorized, "invalid_token"),
            (_tokens.Issue("t", "subscribe"), HttpStatusCode.Forbidden, "insufficient_scope"),
            (_tokens.Issue("other", "broadcast"), HttpStatusCode.Forbidden, "insufficient_scope"),
            (_tokens.Issue("t", "broadcast", signWith: stranger), HttpStatusCode.Unauthorized, "invalid_token"),
        };
        foreach (var (token, status, error) in cases)
        {
            using var response = await BroadcastAsync("t", "nope", token);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains($"error=\"{error}\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Null(await ws.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData("crit naming an extension")]
    [InlineData("b64 false")]
    [InlineData("alg twice in the header")]
    [InlineData("scope twice, the second broadcast")]
    [InlineData("a member named with a quote and a non-ASCII letter, twice")]
    public async Task Broadcast_WithATokenStrictJoseRefuses_Is401AndRelaysNothing(string violation)
    {
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic = "t", token = _tokens.Issue("t", "subscribe") });
        await ws.ReceiveAsync("subscribed");
        var claims = TopicTokens.Claims("t", "broadcast");
        var token = violation switch
        {
            "crit naming an extension" => _tokens.IssueText("""{"alg":"ES256","typ":"JWT","crit":["urn:example:ext"],"urn:example:ext":1}""", claims),
            "b64 false" => _tokens.IssueText("""{"alg":"ES256","typ":"JWT","b64":false,"crit":["b64"]}""", claims),
            "alg twice in the header" => _tokens.IssueText("""{"alg":"none","alg":"ES256","typ":"JWT"}""", claims),
            "scope twice, the second broadcast" => _tokens.IssueText("""{"alg":"ES256","typ":"JWT"}""", claims.Replace("\"scope\":", "\"scope\":\"subscribe\",\"scope\":", StringComparison.Ordinal)),
            "a member named with a quote and a non-ASCII letter, twice" => _tokens.IssueText("""{"alg":"ES256","typ":"JWT"}""", claims.Replace("{", "{\"\\\"\u00e9\":1,\"\\\"\u00e9\":2,", StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(violation)),
        };

        using var response = await BroadcastAsync("t", "nope", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Null(await ws.TryReceiveTextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Subscribe_WithRefusedTokens_AnswersErrors()
    {
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cases = new (string Token, string Error)[]
        {
            (_tokens.Issue("t", "subscribe", TimeSpan.FromMinutes(-5)), "invalid_token"),
            (_tokens.Issue("t", "broadcast"), "insufficient_scope"),
            (_tokens.Issue("other", "subscribe"), "insufficient_scope"),
            (_tokens.Issue("t", "subscribe", signWith: stranger), "invalid_token"),
        };
        foreach (var (token, error) in cases)
        {
            await ws.SendAsync(new { type = "subscribe", topic = "t", token });
            Assert.Equal(error, (string?)(await ws.ReceiveAsync("error"))["error"]);
            await ws.SendTextAsync($"/subscribe t {token}");
            Assert.StartsWith($"error: {error}", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>Issue 19: tokens that are not JWTs, or whose exp/nbf cannot be a time, are refused as invalid_token, never a 500.</summary>
    [Theory]
    [InlineData("not base64url JSON")]
    [InlineData("exp far out of range")]
    [InlineData("exp as a string")]
    [InlineData("nbf far out of range")]
    [InlineData("exp past the last DateTimeOffset")]
    public async Task MalformedTopicTokens_Are401OnBroadcastAndAnErrorFrameOnWs(string kind)
    {
        var claims = TopicTokens.Claims("t", "broadcast");
        var header = """{"alg":"ES256","typ":"JWT"}""";
        var token = kind switch
        {
            "not base64url JSON" => "eyJ.eyJ.x",
            "exp far out of range" => _tokens.IssueText(header, """{"topic":"t","scope":"broadcast subscribe","exp":1e30}"""),
            "exp as a string" => _tokens.IssueText(header, """{"topic":"t","scope":"broadcast subscribe","exp":"9999999999"}"""),
            "nbf far out of range" => _tokens.IssueText(header, claims.Replace("}", ",\"nbf\":1e30}", StringComparison.Ordinal).Replace("\"broadcast\"", "\"broadcast subscribe\"", StringComparison.Ordinal)),
            "exp past the last DateTimeOffset" => _tokens.IssueText(header, """{"topic":"t","scope":"broadcast subscribe","exp":9000000000000000000}"""),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await BroadcastAsync("t", "nope", token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendTextAsync($"/subscribe t {token}");
        Assert.StartsWith("error: invalid_token", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
        await ws.SendAsync(new { type = "subscribe", topic = "t", token });
        Assert.Equal("invalid_token", (string?)(await ws.ReceiveAsync("error"))["error"]);

        // The connection is still open and usable.
        await ws.CommandAsync($"/subscribe t {_tokens.Issue("t", "subscribe")}");
    }

    [Fact]
    public async Task SlowClient_FallsBehind_IsClosedWithAReasonWhileOthersGetEverything()
    {
        var subscribe = _tokens.Issue("firehose", "subscribe");
        var broadcast = _tokens.Issue("firehose", "broadcast");
        await using var slow = await WsClient.ConnectAsync(_server.Issuer);
        await slow.CommandAsync($"/subscribe firehose {subscribe}");
        await using var fast = await WsClient.ConnectAsync(_server.Issuer);
        await fast.CommandAsync($"/subscribe firehose {subscribe}");

        // The slow client reads nothing: its socket buffers fill, then its 8 frames of send buffer.
        // 20 MB in all, well past what the loopback socket buffers can hold, however the kernel sizes them.
        var payload = new string('x', 200 * 1024);
        const int Count = 100;
        var received = Task.Run(async () =>
        {
            var got = new List<string>();
            for (var i = 0; i < Count; i++)
            {
                got.Add((await fast.ReceiveTextAsync())!);
            }

            return got;
        });
        for (var i = 0; i < Count; i++)
        {
            using var response = await BroadcastAsync("firehose", $"{i:D4}{payload}", broadcast);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var got = await received;
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"{i:D4}"), got.Select(m => m[..4]));

        // Now reading, the slow client finds what was sent before it fell behind, then the close frame.
        var drained = 0;
        while (await slow.ReceiveTextAsync(TimeSpan.FromSeconds(10)) is not null)
        {
            drained++;
        }

        Assert.True(drained < Count);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, slow.CloseStatus);
        Assert.Contains("send buffer full", slow.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveConnection_WhenItsTokenExpires_IsClosed()
    {
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);
        await ws.SendAsync(new { type = "subscribe", topic = "brief", token = _tokens.Issue("brief", "subscribe", TimeSpan.FromSeconds(-4)) });
        await ws.ReceiveAsync("subscribed");

        // Within the 5 s clock skew at subscribe time; closed once it has passed.
        Assert.Null(await ws.ReceiveTextAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.Contains("token expired", ws.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_OnMoreConnectionsThanAllowed_IsRefusedThere()
    {
        var token = _tokens.Issue("limited", "subscribe");
        var clients = new List<WsClient>();
        try
        {
            // One after the other, each answered before the next asks, so that the third is the one refused.
            var answers = new List<JsonObject>();
            for (var i = 0; i < 3; i++)
            {
                var ws = await WsClient.ConnectAsync(_server.Issuer);
                clients.Add(ws);
                await ws.SendAsync(new { type = "subscribe", topic = "limited", token });
                answers.Add(await ws.ReceiveJsonAsync());
            }

            Assert.Equal("subscribed", (string?)answers[0]["type"]);
            Assert.Equal("subscribed", (string?)answers[1]["type"]);
            Assert.Equal("limit_exceeded", (string?)answers[2]["error"]);

            // A connection that goes gives its place back, once the server has seen it close.
            await clients[0].DisposeAsync();
            var again = await Eventually.GetAsync(
                async () =>
                {
                    await clients[2].SendAsync(new { type = "subscribe", topic = "limited", token });
                    return await clients[2].ReceiveJsonAsync();
                },
                a => (string?)a["error"] != "limit_exceeded",
                "the closed connection's place to be given back",
                describe: a => a.ToJsonString());

            Assert.Equal("subscribed", (string?)again["type"]);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private Task<HttpResponseMessage> BroadcastAsync(string topic, string message, string token) =>
        _http.PostAsJsonAsync("/broadcast", new { topic, message, token });
}
