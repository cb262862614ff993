using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>
/// Push streams whose receiver accepts only its own short-lived bearer tokens (<c>delivery.oauth</c>,
/// docs/API.md), against a real loopback receiver that issues one-minute tokens on the test's clock.
/// </summary>
public sealed class ReceiverTokenTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private TokenIssuingReceiver _endpoint = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(time: _time);
        _endpoint = await TokenIssuingReceiver.StartAsync(_time);
        (_client, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task OneMinuteTokens_DeliveriesKeepFlowingAcrossExpiry()
    {
        await PushStreamAsync();

        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("first@example.com"));
        await _endpoint.WaitForAsync(1);
        _time.Advance(TimeSpan.FromSeconds(20));
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("second@example.com"));
        await _endpoint.WaitForAsync(2);

        // Past the first token's minute: the server has replaced it before the receiver would refuse it.
        _time.Advance(TimeSpan.FromSeconds(45));
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("third@example.com"));
        var pushes = await _endpoint.WaitForAsync(3);

        Assert.Equal(0, _endpoint.Refused);
        Assert.Equal(pushes[0].Authorization, pushes[1].Authorization);
        Assert.NotEqual(pushes[1].Authorization, pushes[2].Authorization);
        Assert.Equal(["basic grant_type=client_credentials scope=ssf.push", "basic grant_type=client_credentials scope=ssf.push"], _endpoint.TokenRequests);
    }

    [Fact]
    public async Task LanesPushingAtOnce_ShareOneTokenRequest()
    {
        // A slow token endpoint, so that every lane of the backlog asks while the first request runs.
        _endpoint.TokenDelay = TimeSpan.FromMilliseconds(300);
        var streamId = await PushStreamAsync(authMethod: "client_secret_post");
        await SetStatusAsync(streamId, "paused");
        for (var n = 0; n < 24; n++)
        {
            for (var s = 0; s < 4; s++)
            {
                await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked($"s{s}@example.com", $"n={n}"));
            }
        }

        await SetStatusAsync(streamId, "enabled");
        var pushes = await _endpoint.WaitForAsync(96);

        Assert.Single(pushes.Select(p => p.Authorization).Distinct());
        Assert.Equal(["post grant_type=client_credentials scope=ssf.push"], _endpoint.TokenRequests);
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task TokenRevokedByTheReceiver_IsRenewedOnceAndTheSetDelivered()
    {
        using var tokenRequests = Collect(ServerMetrics.TokenRequestsInstrument);
        using var attempts = Collect(ServerMetrics.AttemptsInstrument);
        var streamId = await PushStreamAsync();
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("first@example.com"));
        await _endpoint.WaitForAsync(1);

        _endpoint.RevokeAll();
        var jti = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("second@example.com"));
        var pushes = await _endpoint.WaitForAsync(2);

        // Without the clock moving: no failed attempt, no back-off.
        Assert.Equal(1, _endpoint.Refused);
        Assert.NotEqual(pushes[0].Authorization, pushes[1].Authorization);
        Assert.Equal(2, _endpoint.TokenRequests.Count);
        var delivery = await DeliveryAsync(jti, streamId, "delivered");
        Assert.Equal(1, (int)delivery["attempts"]!);
        Assert.Equal(202, (int)Assert.Single(delivery["attempt_log"]!.AsArray())!["status"]!);
        Assert.Equal(["fetched", "renewed"], Outcomes(tokenRequests));
        Assert.Equal(["2xx", "2xx"], Outcomes(attempts));
    }

    [Theory]
    [InlineData(503, """{"error":"temporarily_unavailable"}""", "token endpoint: HTTP 503 (temporarily_unavailable)")]
    [InlineData(200, "<html>maintenance</html>", "token endpoint: no Bearer access_token in its answer")]
    [InlineData(400, """{"error":"invalid_client","error_description":"bad secret receiver-secret-4f1c9e"}""", "token endpoint: HTTP 400 (invalid_client)")]
    public async Task TokenEndpointFailing_TheAttemptFailsAndTheSetIsDeliveredAfterRecovery(int status, string body, string expected)
    {
        using var tokenRequests = Collect(ServerMetrics.TokenRequestsInstrument);
        using var attempts = Collect(ServerMetrics.AttemptsInstrument);
        _endpoint.TokenAnswer = (status, body);
        var streamId = await PushStreamAsync();

        var jti = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        var failed = await Eventually.GetAsync(
            () => Deliveries.ReadPendingAsync(streamId, 1, CancellationToken.None).AsTask(),
            pending => pending is [{ Attempts: >= 1 }],
            "a failed attempt recorded");

        Assert.Equal(expected, failed[0].LastError);
        Assert.Empty(_endpoint.Accepted);
        Assert.Equal(0, _endpoint.Refused);
        var attempt = Assert.Single((await DeliveryAsync(jti, streamId, "pending"))["attempt_log"]!.AsArray())!;
        Assert.Equal(expected, (string?)attempt["err"]);
        Assert.Null(attempt["status"]);
        Assert.DoesNotContain(TokenIssuingReceiver.ClientSecret, attempt.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("failed", Outcomes(tokenRequests));
        Assert.Contains("token", Outcomes(attempts));

        _endpoint.TokenAnswer = null;
        await Eventually.TrueAsync(() => _endpoint.Accepted.Count == 1, "the SET delivered once the token endpoint works", meanwhile: () => _time.Advance(TimeSpan.FromSeconds(1)), every: TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, await PendingAsync(streamId));
    }

    [Fact]
    public async Task TokenEndpointTooSlow_TheAttemptFailsWithTimeout()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Push:TimeoutSeconds"] = "1" }, _time);
        using var client = (await server.RegisterClientAsync()).Client;
        _endpoint.TokenDelay = TimeSpan.FromSeconds(3);
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, StreamBody()))["stream_id"]!;

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var failed = await Eventually.GetAsync(
            () => server.Factory.Services.GetRequiredService<IDeliveryStore>().ReadPendingAsync(streamId, 1, CancellationToken.None).AsTask(),
            pending => pending is [{ Attempts: >= 1 }],
            "a failed attempt recorded");

        Assert.Equal("token endpoint: timeout", failed[0].LastError);
        Assert.Empty(_endpoint.Accepted);
    }

    [Fact]
    public async Task ClientSecret_IsStoredEncryptedAndNeverReturned()
    {
        using var created = await _client.PostAsJsonAsync("/ssf/streams", StreamBody());
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var streamId = (string)JsonNode.Parse(createdText)!["stream_id"]!;

        var one = await _client.GetStringAsync($"/ssf/streams?stream_id={streamId}");
        var all = await _client.GetStringAsync("/ssf/streams");
        var admin = await _server.Admin.GetStringAsync("/admin/streams");
        var stored = (await _server.Factory.Services.GetRequiredService<IStreamStore>().GetStreamAsync(streamId, CancellationToken.None))!.Configuration;

        foreach (var text in new[] { createdText, one, all, admin, stored })
        {
            Assert.DoesNotContain(TokenIssuingReceiver.ClientSecret, text, StringComparison.Ordinal);
        }

        var oauth = JsonNode.Parse(one)!["delivery"]!["oauth"]!.AsObject();
        Assert.Equal(TokenIssuingReceiver.ClientId, (string?)oauth["client_id"]);
        Assert.Equal(_endpoint.Url("/token"), (string?)oauth["token_endpoint"]);
        Assert.False(oauth.ContainsKey("client_secret"));
        Assert.True(JsonNode.Parse(stored)!["delivery"]!["oauth"]!["client_secret"] is not null, "the secret is kept, encrypted");
    }

    [Fact]
    public async Task BadOAuthMember_Is400NamingEveryProblem_AndNothingIsCreated()
    {
        using var response = await _client.PostAsJsonAsync("/ssf/streams", new
        {
            delivery = new
            {
                method = "urn:ietf:rfc:8935",
                endpoint_url = _endpoint.Url("/events"),
                authorization_header = "Bearer fixed",
                oauth = new { token_endpoint = "ftp://receiver.example/token", client_id = "c", token_endpoint_auth_method = "private_key_jwt", clientsecret = "typo" },
            },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem!["errors"]!.AsArray().Select(e => (string)e!).ToList();
        Assert.Contains(errors, e => e.StartsWith("delivery.oauth.clientsecret is not a member of delivery.oauth", StringComparison.Ordinal));
        Assert.Contains("delivery takes either authorization_header or oauth, not both", errors);
        Assert.Contains(errors, e => e.StartsWith("delivery.oauth.token_endpoint must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains("delivery.oauth.client_secret is required", errors);
        Assert.Contains("delivery.oauth.token_endpoint_auth_method must be client_secret_basic or client_secret_post", errors);
        Assert.Empty((await _client.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Theory]
    [InlineData("\"Bearer abc\"", "delivery.oauth must be an object")]
    [InlineData("""{"token_endpoint":5,"client_id":["c"],"client_secret":"s"}""", "delivery.oauth.token_endpoint must be a string; delivery.oauth.client_id must be a string")]
    public async Task OAuthOfTheWrongShape_Is400(string oauth, string expected)
    {
        var body = new JsonObject
        {
            ["delivery"] = new JsonObject { ["method"] = "urn:ietf:rfc:8935", ["endpoint_url"] = _endpoint.Url("/events"), ["oauth"] = JsonNode.Parse(oauth) },
        };

        using var response = await _client.PostAsJsonAsync("/ssf/streams", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await _client.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Fact]
    public async Task OAuthOnAPollOrInboundStream_Is400()
    {
        var oauth = new { token_endpoint = _endpoint.Url("/token"), client_id = "c", client_secret = "s" };

        using var poll = await _client.PostAsJsonAsync("/ssf/streams", new { delivery = new { method = "urn:ietf:rfc:8936", oauth } });
        using var inbound = await _client.PostAsJsonAsync("/ssf/streams", new { direction = "inbound", source = new { issuer = "https://source.example", jwks_uri = _endpoint.Url("/jwks") }, delivery = new { method = "urn:ietf:rfc:8935", oauth } });

        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        Assert.Contains("delivery.oauth is only for push delivery", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, inbound.StatusCode);
        Assert.Contains("delivery.oauth is only for outbound push streams", await inbound.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpointOnAnInternalAddress_Is400InProduction()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?>
        {
            ["SharpSignals:AllowInsecureHttp"] = "false",
            ["SharpSignals:Issuer"] = "https://sharpsignals.example",
        });

        using var response = await server.Admin.PostAsJsonAsync("/ssf/streams", new
        {
            delivery = new
            {
                method = "urn:ietf:rfc:8935",
                endpoint_url = "https://receiver.example/events",
                oauth = new { token_endpoint = "https://127.0.0.1/token", client_id = "c", client_secret = "s" },
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("delivery.oauth.token_endpoint must not point at a loopback, private or link-local address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private object StreamBody(string? authMethod = null) => new
    {
        events_requested = new[] { EventTypes.Caep.SessionRevoked },
        delivery = new
        {
            method = "urn:ietf:rfc:8935",
            endpoint_url = _endpoint.Url("/events"),
            oauth = new
            {
                token_endpoint = _endpoint.Url("/token"),
                client_id = TokenIssuingReceiver.ClientId,
                client_secret = TokenIssuingReceiver.ClientSecret,
                scope = "ssf.push",
                token_endpoint_auth_method = authMethod,
            },
        },
    };

    private async Task<string> PushStreamAsync(string? authMethod = null) =>
        (string)(await SsfTestServer.CreateStreamAsync(_client, StreamBody(authMethod)))["stream_id"]!;

    private MetricCollector<long> Collect(string instrument) =>
        new(_server.Factory.Services.GetRequiredService<IMeterFactory>(), ServerMetrics.MeterName, instrument);

    private static List<string?> Outcomes(MetricCollector<long> collector) =>
        [.. collector.GetMeasurementSnapshot().Select(m => m.Tags["outcome"] as string)];

    private IDeliveryStore Deliveries => _server.Factory.Services.GetRequiredService<IDeliveryStore>();

    private async Task SetStatusAsync(string streamId, string status)
    {
        using var response = await _client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The event's delivery to the stream as <c>GET /events/{jti}</c> shows it, once it is in <paramref name="state"/>.</summary>
    private Task<JsonObject> DeliveryAsync(string jti, string streamId, string state) =>
        Eventually.GetAsync(
            async () => (await _client.GetFromJsonAsync<JsonObject>($"/events/{jti}"))!["deliveries"]!.AsArray().Single(d => (string?)d!["stream_id"] == streamId)!.AsObject(),
            d => (string?)d["state"] == state,
            $"the delivery of {jti} to be {state}",
            describe: d => d.ToJsonString());

    /// <summary>The stream's pending entries, once none are left (acknowledgements commit after the push).</summary>
    private Task<long> PendingAsync(string streamId) =>
        Eventually.GetAsync(() => Deliveries.CountPendingAsync(streamId, CancellationToken.None).AsTask(), count => count == 0, $"stream {streamId} to have nothing pending");
}
