using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Tests.Conformance;

/// <summary>
/// One test per module of the OpenID SSF transmitter conformance plan (docs/STANDARDS.md, "The
/// OpenID conformance suite"), with the expectations the suite has, over real HTTP with a real push
/// receiver. It runs for the default tenant at the root, and for each of two tenants of one server, under
/// their own paths, issuers and keys (docs/TENANTS.md).
/// </summary>
public abstract class TransmitterConformanceTests : IAsyncLifetime
{
    private static readonly string[] Requested =
        [EventTypes.Caep.SessionRevoked, EventTypes.Caep.CredentialChange, EventTypes.Caep.DeviceComplianceChange];

    private SsfTestServer _server = null!;
    private TestTenant? _tenant;
    private HttpClient _receiver = null!;

    /// <summary>The tenant under test, null for the default one; every tenant named is created first, in order.</summary>
    protected abstract string? Tenant { get; }

    /// <summary>The tenants the server has besides the one under test, each with a stream of its own.</summary>
    protected abstract IReadOnlyList<string> OtherTenants { get; }

    private string Issuer => _tenant?.Issuer ?? ServerFactory.Issuer;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Streams:MinVerificationIntervalSeconds"] = "0" });
        foreach (var other in OtherTenants)
        {
            var neighbour = await TestTenant.CreateAsync(_server, other);
            var (client, _, _) = await neighbour.RegisterClientAsync();
            using (client)
            {
                await SsfTestServer.CreateStreamAsync(client, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } });
            }
        }

        _tenant = Tenant is { } name ? await TestTenant.CreateAsync(_server, name) : null;
        (_receiver, _, _) = _tenant is null ? await _server.RegisterClientAsync() : await _tenant.RegisterClientAsync();
    }

    private HttpClient CreateClient() => _tenant?.CreateClient() ?? _server.Factory.CreateClient();

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Metadata_IsCompleteWithNoEmptyArraysAndAValidJwks()
    {
        // SSF 1.0 §7.2, RFC 8615: a tenant's issuer has a path, inserted after the well-known segment.
        using var response = await _server.Factory.CreateClient().GetAsync(new Uri("/.well-known/ssf-configuration" + (Tenant is null ? "" : "/t/" + Tenant), UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var metadata = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(Issuer, (string?)metadata["issuer"]);
        Assert.Equal("1_0", (string?)metadata["spec_version"]);
        foreach (var endpoint in new[] { "jwks_uri", "configuration_endpoint", "status_endpoint", "add_subject_endpoint", "remove_subject_endpoint", "verification_endpoint" })
        {
            Assert.StartsWith(Issuer + "/", (string?)metadata[endpoint], StringComparison.Ordinal);
        }

        Assert.Equal(["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"], metadata["delivery_methods_supported"]!.AsArray().Select(m => (string?)m));
        Assert.Equal("urn:ietf:rfc:6749", (string?)metadata["authorization_schemes"]![0]!["spec_urn"]);
        Assert.Contains((string?)metadata["default_subjects"], new[] { "ALL", "NONE" });
        Assert.DoesNotContain(Descendants(metadata), n => n is JsonArray { Count: 0 });
        using var jwks = JsonDocument.Parse(await CreateClient().GetStringAsync(new Uri("/jwks.json", UriKind.Relative)));
        Assert.NotEmpty(jwks.RootElement.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task StreamControlHappyPath_CreateReadUpdateReplaceStatusDelete()
    {
        var create = new { description = "conformance", events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } };
        var created = await SsfTestServer.CreateStreamAsync(_receiver, create);
        var streamId = (string)created["stream_id"]!;
        Assert.Equal(Issuer, (string?)created["iss"]);
        Assert.NotNull(created["aud"]);
        Assert.Equal("urn:ietf:rfc:8936", (string?)created["delivery"]!["method"]);
        Assert.Equal($"{Issuer}/ssf/poll/{streamId}", (string?)created["delivery"]!["endpoint_url"]);
        Assert.Equal(Requested, created["events_delivered"]!.AsArray().Select(e => (string?)e));
        Assert.Matches("^[A-Za-z0-9._~-]+$", streamId);

        var read = await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={streamId}");
        Assert.Equal(Issuer, (string?)read!["iss"]);
        Assert.All(read["events_supported"]!.AsArray(), e => Assert.True(EventCatalog.TryGet((string)e!, out _)));

        using var patch = await _receiver.PatchAsJsonAsync("/ssf/streams", new { stream_id = streamId, description = "patched", events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("patched", (string?)(await patch.Content.ReadFromJsonAsync<JsonObject>())!["description"]);

        using var put = await _receiver.PutAsJsonAsync("/ssf/streams", new { stream_id = streamId, description = "replaced", events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("replaced", (string?)(await put.Content.ReadFromJsonAsync<JsonObject>())!["description"]);

        using var status = await _receiver.GetAsync(new Uri($"/ssf/status?stream_id={streamId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal("enabled", (string?)(await status.Content.ReadFromJsonAsync<JsonObject>())!["status"]);

        foreach (var next in new[] { "enabled", "paused", "disabled" })
        {
            using var changed = await _receiver.PostAsJsonAsync($"/ssf/status?stream_id={streamId}", new { stream_id = streamId, status = next, reason = "conformance" });
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            var echoed = (await changed.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(next, (string?)echoed["status"]);
            Assert.Equal(streamId, (string?)echoed["stream_id"]);
        }

        using var deleted = await _receiver.DeleteAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task CreateStream_BrokenInput_Is400()
    {
        using var response = await _receiver.PostAsync("/ssf/streams", new StringContent(";{ broken", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task CreateStream_InvalidToken_Is401()
    {
        using var response = await WithToken("not-a-token").PostAsJsonAsync("/ssf/streams", new { events_requested = Requested });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The access token is not valid.\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task CreateStream_DuplicateConfig_Is201Again()
    {
        var body = new { events_requested = Requested };
        var first = await SsfTestServer.CreateStreamAsync(_receiver, body);
        var second = await SsfTestServer.CreateStreamAsync(_receiver, body);

        Assert.NotEqual((string?)first["stream_id"], (string?)second["stream_id"]);
    }

    [Fact]
    public async Task ReadStream_InvalidToken_Is401()
    {
        var streamId = await NewStreamAsync();

        using var response = await WithToken("bad").GetAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ReadStream_DeletedStream_Is404()
    {
        var streamId = await NewStreamAsync();
        (await _receiver.DeleteAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative))).EnsureSuccessStatusCode();

        using var response = await _receiver.GetAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task UpdateOrReplace_InvalidToken_Is401(string method)
    {
        var streamId = await NewStreamAsync();

        using var response = await WithToken("bad").SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ssf/streams") { Content = JsonContent.Create(new { stream_id = streamId, description = "x" }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task UpdateOrReplace_InvalidBody_Is400AndChangesNothing(string method)
    {
        var streamId = await NewStreamAsync();

        using var broken = await _receiver.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ssf/streams") { Content = new StringContent(";{ broken", Encoding.UTF8, "application/json") });
        using var wrongType = await _receiver.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ssf/streams") { Content = JsonContent.Create(new { stream_id = streamId, description = 42 }) });
        using var transmitterField = await _receiver.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ssf/streams") { Content = JsonContent.Create(new { stream_id = streamId, iss = "https://evil.example", description = "x" }) });

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, transmitterField.StatusCode);
        Assert.Contains("iss is supplied by the transmitter", await transmitterField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unchanged = await _receiver.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={streamId}");
        Assert.Null(unchanged!["description"]);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    public async Task UpdateOrReplace_UnknownStream_Is404(string method)
    {
        using var response = await _receiver.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ssf/streams") { Content = JsonContent.Create(new { stream_id = "no-such-stream", description = "x" }) });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DeleteStream_InvalidTokenOrUnknownStream_Is401Or404()
    {
        var streamId = await NewStreamAsync();

        using var badToken = await WithToken("bad").DeleteAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
        using var unknown = await _receiver.DeleteAsync(new Uri("/ssf/streams?stream_id=no-such-stream", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task SubjectControl_AddIs200AndRemoveIs204()
    {
        var streamId = await NewStreamAsync();
        var subject = new { format = "email", email = "example.user@example.com" };

        using var added = await _receiver.PostAsJsonAsync("/ssf/subjects/add", new { stream_id = streamId, subject, verified = true });
        using var removed = await _receiver.PostAsJsonAsync("/ssf/subjects/remove", new { stream_id = streamId, subject });

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Empty(await added.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task VerificationPush_PushCarriesTheExactAuthorizationHeaderAndAValidSet()
    {
        await using var endpoint = await RecordingReceiver.StartAsync();
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            events_requested = Requested,
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = endpoint.Url(), authorization_header = "Bearer push-secret-123" },
        });
        var streamId = (string)created["stream_id"]!;
        Assert.Null(created["delivery"]!["authorization_header"]);

        using var verify = await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "VGhpcyBpcyBhbiBleGFtcGxl" });
        Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);

        var push = (await endpoint.WaitForAsync(1))[0];
        Assert.Equal("application/secevent+jwt", push.ContentType);
        Assert.Equal("application/json", push.Accept);
        Assert.Equal("Bearer push-secret-123", push.Authorization);
        await AssertVerificationSetAsync(push.Body, streamId, created, "VGhpcyBpcyBhbiBleGFtcGxl");
    }

    [Fact]
    public async Task VerificationPushWithoutAuthorization_SendsNoAuthorizationHeader()
    {
        await using var endpoint = await RecordingReceiver.StartAsync();
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = endpoint.Url() } });

        (await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = (string)created["stream_id"]! })).EnsureSuccessStatusCode();

        var push = (await endpoint.WaitForAsync(1))[0];
        Assert.False(push.HasAuthorization);
        await AssertVerificationSetAsync(push.Body, (string)created["stream_id"]!, created, state: null);
    }

    [Fact]
    public async Task VerificationPollOnly_PollReturnsTheVerificationSet()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } });
        var streamId = (string)created["stream_id"]!;
        (await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "s1" })).EnsureSuccessStatusCode();

        var polled = await PollEndpointAsync(created, new { maxEvents = 10, returnImmediately = true });

        var (jti, token) = Assert.Single(polled["sets"]!.AsObject());
        await AssertVerificationSetAsync((string)token!, streamId, created, "s1");
        Assert.False((bool?)polled["moreAvailable"] ?? false);
        Assert.NotEmpty(jti);
    }

    [Fact]
    public async Task VerificationAckOnly_AcknowledgedSetIsNotSentAgain()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = Requested });
        (await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = (string)created["stream_id"]! })).EnsureSuccessStatusCode();
        var jti = Assert.Single((await PollEndpointAsync(created, new { maxEvents = 10, returnImmediately = true }))["sets"]!.AsObject()).Key;

        var ackOnly = await PollEndpointAsync(created, new { maxEvents = 0, returnImmediately = true, ack = new[] { jti } });
        var after = await PollEndpointAsync(created, new { maxEvents = 10, returnImmediately = true });

        Assert.Empty(ackOnly["sets"]!.AsObject());
        Assert.Empty(after["sets"]!.AsObject());
    }

    [Fact]
    public async Task VerificationPollAndAck_SecondPollAcksTheFirstAndGetsTheSecond()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = Requested });
        var streamId = (string)created["stream_id"]!;
        (await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "first" })).EnsureSuccessStatusCode();
        var first = Assert.Single((await PollEndpointAsync(created, new { maxEvents = 10, returnImmediately = true }))["sets"]!.AsObject());

        (await _receiver.PostAsJsonAsync("/ssf/verify", new { stream_id = streamId, state = "second" })).EnsureSuccessStatusCode();
        var polled = await PollEndpointAsync(created, new { maxEvents = 10, returnImmediately = true, ack = new[] { first.Key } });

        var second = Assert.Single(polled["sets"]!.AsObject());
        Assert.NotEqual(first.Key, second.Key);
        await AssertVerificationSetAsync((string)second.Value!, streamId, created, "second");
    }

    private async Task<string> NewStreamAsync() =>
        (string)(await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = Requested }))["stream_id"]!;

    private async Task<JsonObject> PollEndpointAsync(JsonObject stream, object body)
    {
        var endpoint = new Uri((string)stream["delivery"]!["endpoint_url"]!).PathAndQuery;
        using var response = await _receiver.PostAsJsonAsync(endpoint, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The checks of the suite's verification modules: typ, no sub/exp, iss, iat, aud, sub_id, state, one event, signature.</summary>
    private async Task AssertVerificationSetAsync(string token, string streamId, JsonObject stream, string? state)
    {
        var result = _tenant is null ? await _server.ValidateAsync(token) : await _tenant.ValidateAsync(token);
        Assert.True(result.IsValid, result.Error?.Description);
        var set = result.Set!;
        Assert.Equal(Issuer, set.Issuer);
        Assert.True(set.IssuedAt <= DateTimeOffset.UtcNow.AddSeconds(5));
        var streamAudience = stream["aud"] is JsonArray array ? array.Select(a => (string)a!).ToList() : [(string)stream["aud"]!];
        Assert.Subset(streamAudience.ToHashSet(), set.Audience.ToHashSet());
        Assert.Equal(new OpaqueSubject(streamId), set.Subject);
        var verification = Assert.IsType<Verification>(Assert.Single(set.Events));
        Assert.Equal(state, verification.State);
    }

    private HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static IEnumerable<JsonNode?> Descendants(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => p.Value).SelectMany(v => Descendants(v).Prepend(v)),
        JsonArray a => a.SelectMany(v => Descendants(v).Prepend(v)),
        _ => [],
    };
}

/// <summary>The conformance tests for the default tenant, at the server's root, beside a tenant with a stream of its own.</summary>
public sealed class RootTransmitterConformanceTests : TransmitterConformanceTests
{
    protected override string? Tenant => null;

    protected override IReadOnlyList<string> OtherTenants => ["acme"];
}

/// <summary>The conformance tests for the first of two tenants of one server.</summary>
public sealed class FirstTenantTransmitterConformanceTests : TransmitterConformanceTests
{
    protected override string? Tenant => "acme";

    protected override IReadOnlyList<string> OtherTenants => ["beta"];
}

/// <summary>The conformance tests for the second of two tenants of one server, created after the first.</summary>
public sealed class SecondTenantTransmitterConformanceTests : TransmitterConformanceTests
{
    protected override string? Tenant => "beta";

    protected override IReadOnlyList<string> OtherTenants => ["acme"];
}
