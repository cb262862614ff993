using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Storage;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// Server B joins server A as an SSF receiver, over real HTTP on loopback: the behaviours of the
/// OpenID receiver conformance plan (docs/STANDARDS.md, "The OpenID conformance suite"), with A
/// playing the transmitter and every stream operation driven from B.
/// </summary>
public sealed class JoinTests : IAsyncLifetime
{
    private const string Caep = "https://schemas.openid.net/secevent/caep/event-type/";
    private const string Risc = "https://schemas.openid.net/secevent/risc/event-type/";
    private const string SessionRevoked = Caep + "session-revoked";
    private const string CredentialChange = Caep + "credential-change";
    private const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";
    private const string Email = """{"format":"email","email":"alice@example.com"}""";

    /// <summary>An example of each CAEP and RISC event the receiver asks for, as the conformance suite sends them.</summary>
    private static readonly Dictionary<string, string> Examples = new()
    {
        [SessionRevoked] = """{"initiating_entity":"policy","reason_admin":{"en":"Landspeed policy violation"},"event_timestamp":1767225000}""",
        [CredentialChange] = """{"credential_type":"fido2-roaming","change_type":"create","initiating_entity":"user"}""",
        [Caep + "device-compliance-change"] = """{"previous_status":"compliant","current_status":"not-compliant"}""",
        [Caep + "assurance-level-change"] = """{"namespace":"NIST-AAL","current_level":"nist-aal2","previous_level":"nist-aal1","change_direction":"increase"}""",
        [Caep + "risk-level-change"] = """{"principal":"USER","current_level":"HIGH","previous_level":"LOW","risk_reason":"PASSWORD_FOUND_IN_DATA_BREACH"}""",
        [Risc + "account-disabled"] = """{"reason":"hijacking"}""",
        [Risc + "account-enabled"] = "{}",
        [Risc + "account-purged"] = "{}",
        [Risc + "credential-compromise"] = """{"credential_type":"password"}""",
        [Risc + "identifier-changed"] = """{"new-value":"alice@example.org"}""",
    };

    private SsfTestServer _a = null!;
    private SsfTestServer _b = null!;
    private HttpClient _aClient = null!;
    private string _clientId = null!;
    private string _secret = null!;
    private string _accessToken = null!;

    public async Task InitializeAsync()
    {
        // A lets its receivers verify as often as they like, so that a test can verify twice in a row.
        _a = SsfTestServer.StartListening(new Dictionary<string, string?> { ["SharpSignals:Streams:MinVerificationIntervalSeconds"] = "0" });
        _b = SsfTestServer.StartListening();
        (_aClient, _clientId, _secret) = await _a.RegisterClientAsync();
        _accessToken = "Bearer " + _aClient.DefaultRequestHeaders.Authorization!.Parameter;
    }

    public async Task DisposeAsync()
    {
        _aClient.Dispose();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public async Task Create_WithAnAccessToken_CreatesTheStreamAtTheSourceAndKeepsItsAnswer()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });

        var (localId, remoteId) = Ids(joined);
        Assert.Null(joined["source"]!["authorization_header"]);
        Assert.Equal(_a.Issuer, joined["iss"]!.GetValue<string>());
        Assert.Equal(_a.Issuer + "/ssf/streams", joined["source"]!["configuration_endpoint"]!.GetValue<string>());
        var remote = await ReadAtSourceAsync(remoteId);
        Assert.Equal($"{_b.Issuer}/ssf/push/{localId}", remote["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Equal("urn:ietf:rfc:8935", remote["delivery"]!["method"]!.GetValue<string>());

        // The aud the source's SETs carry and what it delivers are the source's answer, kept here.
        Assert.Equal(_clientId, joined["aud"]!.GetValue<string>());
        Assert.Equal(remote["aud"]!.ToJsonString(), joined["aud"]!.ToJsonString());
        Assert.Equal(Strings(remote["events_delivered"]), Strings(joined["events_delivered"]));
        Assert.Equal([CredentialChange, SessionRevoked], Strings(joined["events_delivered"]).Order(StringComparer.Ordinal));

        // The source pushes with the credential this server checks.
        Assert.Equal(RouteAtB(localId).Configuration.Delivery.AuthorizationHeader, RouteAtA(remoteId)!.Configuration.Delivery.AuthorizationHeader);
    }

    [Fact]
    public async Task Create_VerificationWithState_IsAcknowledgedWithNothingPendingOrDeadAtTheSource()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);

        var backlog = await WaitForSourceAsync(remoteId, s => Pending(s) == 0);

        Assert.Equal(0, backlog["dead_letters"]!.GetValue<long>());
        var state = RouteAtB(localId).Configuration.Source!.VerificationState;
        Assert.False(string.IsNullOrEmpty(state));
        var verification = Assert.Single(ReceivedAtB(), e => e.Type == Verification);
        Assert.Equal(state, verification.Claims["events"]![Verification]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithClientCredentials_GetsATokenFromTheSourceAndJoins()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, client_id = _clientId, client_secret = _secret });
        var (localId, remoteId) = Ids(joined);

        Assert.Null(joined["source"]!["client_secret"]);
        var remote = await ReadAtSourceAsync(remoteId);
        Assert.Equal($"{_b.Issuer}/ssf/push/{localId}", remote["delivery"]!["endpoint_url"]!.GetValue<string>());
        var backlog = await WaitForSourceAsync(remoteId, s => Pending(s) == 0);
        Assert.Equal(0, backlog["dead_letters"]!.GetValue<long>());

        // Later calls to the source reuse the token.
        using var patched = await _b.Admin.PatchAsJsonAsync("/ssf/streams", new { stream_id = localId, description = "with client credentials" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("with client credentials", (await ReadAtSourceAsync(remoteId))["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_WhenTheSourceNoLongerTakesTheCachedToken_GetsANewTokenAndSucceeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var source = SsfTestServer.StartListening(time: clock);
        var (client, clientId, secret) = await source.RegisterClientAsync();
        client.Dispose();
        var joined = await SsfTestServer.CreateStreamAsync(_b.Admin, JoinBody(new { issuer = source.Issuer, client_id = clientId, client_secret = secret }, "urn:ietf:rfc:8935", [SessionRevoked]));
        var (localId, remoteId) = Ids(joined);

        // The source's clock passes the token's expiry; this server's does not, so it still holds the token.
        clock.Advance(TimeSpan.FromHours(2));
        using var patched = await _b.Admin.PatchAsJsonAsync("/ssf/streams", new { stream_id = localId, description = "after a 401" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var remote = await source.Admin.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={remoteId}");
        Assert.Equal("after a 401", remote!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_PatchAndPutHere_AreMadeAtTheSource()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);

        using var patch = await _b.Admin.PatchAsJsonAsync("/ssf/streams", new { stream_id = localId, description = "patched", events_requested = new[] { SessionRevoked } });

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var patched = (await patch.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([SessionRevoked], Strings(patched["events_delivered"]));
        var remote = await ReadAtSourceAsync(remoteId);
        Assert.Equal("patched", remote["description"]!.GetValue<string>());
        Assert.Equal([SessionRevoked], Strings(remote["events_delivered"]));

        using var put = await _b.Admin.PutAsJsonAsync("/ssf/streams", new { stream_id = localId, events_requested = new[] { SessionRevoked, CredentialChange } });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        remote = await ReadAtSourceAsync(remoteId);
        Assert.Null(remote["description"]);
        Assert.Equal([CredentialChange, SessionRevoked], Strings(remote["events_delivered"]).Order(StringComparer.Ordinal));
        Assert.Equal($"{_b.Issuer}/ssf/push/{localId}", remote["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Equal(RouteAtB(localId).Configuration.Delivery.AuthorizationHeader, RouteAtA(remoteId)!.Configuration.Delivery.AuthorizationHeader);
        Assert.Equal(Strings(remote["events_delivered"]), RouteAtB(localId).Configuration.EventsDelivered);
    }

    [Fact]
    public async Task Read_HereOnAJoinedStream_ReadsItAtTheSource()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken, }, events: [SessionRevoked]);
        var (localId, remoteId) = Ids(joined);

        // The source's side changes behind this server's back; reading here follows it.
        using var changed = await _aClient.PatchAsJsonAsync("/ssf/streams", new { stream_id = remoteId, events_requested = new[] { SessionRevoked, CredentialChange } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var read = await _b.Admin.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={localId}");

        Assert.Equal([CredentialChange, SessionRevoked], Strings(read!["events_delivered"]).Order(StringComparer.Ordinal));
        Assert.Contains(CredentialChange, RouteAtB(localId).Configuration.EventsDelivered);
    }

    [Fact]
    public async Task Status_ChangedHere_IsChangedAtTheSource()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);

        foreach (var status in new[] { "paused", "disabled", "enabled" })
        {
            using var response = await _b.Admin.PostAsJsonAsync("/ssf/status", new { stream_id = localId, status, reason = "test" });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(status, (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
            var atSource = await _aClient.GetFromJsonAsync<JsonObject>($"/ssf/status?stream_id={remoteId}");
            Assert.Equal(status, atSource!["status"]!.GetValue<string>());
            Assert.Equal(status, RouteAtB(localId).Configuration.Source!.Status);
        }
    }

    [Fact]
    public async Task Verify_HereOnAJoinedStream_AsksTheSourceWithANewState()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);
        await WaitForSourceAsync(remoteId, s => Pending(s) == 0);
        var first = RouteAtB(localId).Configuration.Source!.VerificationState;

        using var response = await _b.Admin.PostAsJsonAsync("/ssf/verify", new { stream_id = localId });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var second = RouteAtB(localId).Configuration.Source!.VerificationState;
        Assert.NotEqual(first, second);
        var backlog = await WaitForSourceAsync(remoteId, s => Pending(s) == 0 && ReceivedAtB().Count(e => e.Type == Verification) == 2);
        Assert.Equal(0, backlog["dead_letters"]!.GetValue<long>());
        Assert.Equal(second, ReceivedAtB().Last(e => e.Type == Verification).Claims["events"]![Verification]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Verification_StartedByTheSourceWithoutState_IsAccepted()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (_, remoteId) = Ids(joined);
        await WaitForSourceAsync(remoteId, s => Pending(s) == 0);

        // The source sends a verification nobody here asked for: no state (SSF 1.0 §8.1.4.2).
        using var unsolicited = await _aClient.PostAsJsonAsync("/ssf/verify", new { stream_id = remoteId });
        Assert.Equal(HttpStatusCode.NoContent, unsolicited.StatusCode);

        var backlog = await WaitForSourceAsync(remoteId, s => Pending(s) == 0 && ReceivedAtB().Count(e => e.Type == Verification) == 2);
        Assert.Equal(0, backlog["dead_letters"]!.GetValue<long>());
        Assert.Null(ReceivedAtB().Last(e => e.Type == Verification).Claims["events"]![Verification]!["state"]);
    }

    [Fact]
    public async Task Verification_WithAnotherState_IsRefusedWithInvalidState()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (_, remoteId) = Ids(joined);
        await WaitForSourceAsync(remoteId, s => Pending(s) == 0);

        using var forged = await _aClient.PostAsJsonAsync("/ssf/verify", new { stream_id = remoteId, state = "not-the-state-asked-for" });
        Assert.Equal(HttpStatusCode.NoContent, forged.StatusCode);

        await WaitForSourceAsync(remoteId, s => s["dead_letters"]!.GetValue<long>() == 1);
        var dead = Assert.Single((await _a.Admin.GetFromJsonAsync<JsonArray>($"/admin/streams/{remoteId}/deadletters"))!);
        Assert.Contains("invalid_state", dead!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(ReceivedAtB(), e => e.Type == Verification);
    }

    [Fact]
    public async Task Events_EveryTypeDeliveredPublishedAtTheSource_ArrivesHereAcknowledged()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken }, events: [.. Examples.Keys]);
        var (_, remoteId) = Ids(joined);
        var delivered = Strings(joined["events_delivered"]);
        Assert.Equal(Examples.Keys.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));

        foreach (var type in delivered)
        {
            await SsfTestServer.PublishAsync(_aClient, $$"""{"events":{"{{type}}":{{Examples[type]}}},"sub_id":{{Email}},"txn":"txn-{{type.Split('/')[^1]}}"}""");
        }

        var backlog = await WaitForSourceAsync(remoteId, s => Pending(s) == 0 && ReceivedAtB().Count == delivered.Count + 1);
        Assert.Equal(0, backlog["dead_letters"]!.GetValue<long>());
        Assert.Equal(delivered.Order(StringComparer.Ordinal), ReceivedAtB().Where(e => e.Type != Verification).Select(e => e.Type).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_HereOnAJoinedStream_DeletesItAtTheSource()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);

        using var deleted = await _b.Admin.DeleteAsync($"/ssf/streams?stream_id={localId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var atSource = await _aClient.GetAsync($"/ssf/streams?stream_id={remoteId}");
        Assert.Equal(HttpStatusCode.NotFound, atSource.StatusCode);
        using var here = await _b.Admin.GetAsync($"/ssf/streams?stream_id={localId}");
        Assert.Equal(HttpStatusCode.NotFound, here.StatusCode);
    }

    [Fact]
    public async Task Delete_WhenTheSourceRefuses_StillDeletesHere()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken });
        var (localId, remoteId) = Ids(joined);
        using var revoked = await _a.Admin.DeleteAsync($"/admin/clients/{_clientId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        using var deleted = await _b.Admin.DeleteAsync($"/ssf/streams?stream_id={localId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var here = await _b.Admin.GetAsync($"/ssf/streams?stream_id={localId}");
        Assert.Equal(HttpStatusCode.NotFound, here.StatusCode);
        Assert.NotNull(RouteAtA(remoteId));
    }

    [Fact]
    public async Task Create_SourceWhoseDiscoveryNamesAnotherIssuer_Is502AndCreatesNothing()
    {
        // A answers its discovery document under another name for itself than the one asked about.
        var otherName = _a.Issuer.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        using var response = await _b.Admin.PostAsJsonAsync("/ssf/streams", JoinBody(new { issuer = otherName, authorization_header = _accessToken }, "urn:ietf:rfc:8935", [SessionRevoked]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("names the issuer", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNoStreamsAsync();
    }

    [Fact]
    public async Task Create_WhenTheSourceRefusesTheCredential_Is502AndCreatesNothing()
    {
        using var response = await _b.Admin.PostAsJsonAsync("/ssf/streams", JoinBody(new { issuer = _a.Issuer, authorization_header = "Bearer not-a-token" }, "urn:ietf:rfc:8935", [SessionRevoked]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("401", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNoStreamsAsync();
    }

    [Theory]
    [InlineData("answer names another iss")]
    [InlineData("verification request fails")]
    public async Task Create_FailingAfterTheSourceCreatedTheStream_DeletesItThereAndHere(string failure)
    {
        var deleted = new List<string>();
        await using var source = await StartFakeSourceAsync(failure, deleted);
        var issuer = source.Urls.First();

        using var response = await _b.Admin.PostAsJsonAsync("/ssf/streams", JoinBody(new { issuer, authorization_header = "Bearer fake" }, "urn:ietf:rfc:8935", [SessionRevoked]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(["remote-1"], deleted);
        Assert.Empty((await _b.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Fact]
    public async Task Create_WithAClientIdButNoSecret_Is400()
    {
        using var response = await _b.Admin.PostAsJsonAsync("/ssf/streams", JoinBody(new { issuer = _a.Issuer, client_id = _clientId }, "urn:ietf:rfc:8935", [SessionRevoked]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNoStreamsAsync();
    }

    [Fact]
    public async Task Create_WithPoll_KeepsTheSourcesPollEndpointAndTheCredentialForIt()
    {
        var joined = await JoinAsync(new { issuer = _a.Issuer, authorization_header = _accessToken }, method: "urn:ietf:rfc:8936");
        var (localId, remoteId) = Ids(joined);

        Assert.Equal($"{_a.Issuer}/ssf/poll/{remoteId}", joined["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Null(joined["delivery"]!["authorization_header"]);
        Assert.Equal(_accessToken, RouteAtB(localId).Configuration.Delivery.AuthorizationHeader);
        Assert.Equal("urn:ietf:rfc:8936", (await ReadAtSourceAsync(remoteId))["delivery"]!["method"]!.GetValue<string>());

        // B's poller takes the verification it asked for, and acknowledges it.
        await WaitForSourceAsync(remoteId, s => Pending(s) == 0);
        Assert.Equal(0, (await WaitForSourceAsync(remoteId, _ => true))["dead_letters"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Create_WithPoll_EventsPublishedAtTheSourceArriveHere(bool clientCredentials)
    {
        object source = clientCredentials
            ? new { issuer = _a.Issuer, client_id = _clientId, client_secret = _secret }
            : new { issuer = _a.Issuer, authorization_header = _accessToken };
        await JoinAsync(source, method: "urn:ietf:rfc:8936");
        var downstream = (await SsfTestServer.CreateStreamAsync(_b.Admin, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!.GetValue<string>();

        await SsfTestServer.PublishAsync(_aClient, SsfTestServer.SessionRevoked("polled@example.com"));

        // A long poll on B's own stream wakes when B's poller has taken the event from A.
        var sets = (await SsfTestServer.PollAsync(_b.Admin, downstream, new { maxEvents = 1 }))["sets"]!.AsObject();

        var token = Assert.Single(sets).Value!.GetValue<string>();
        var validation = await _b.ValidateAsync(token);
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Equal("polled@example.com", ((SharpSignals.Tokens.Subjects.EmailSubject)validation.Set!.Subject!).Email);
    }

    private async Task<JsonObject> JoinAsync(object source, string method = "urn:ietf:rfc:8935", string[]? events = null) =>
        await SsfTestServer.CreateStreamAsync(_b.Admin, JoinBody(source, method, events ?? [SessionRevoked, CredentialChange]));

    private static object JoinBody(object source, string method, string[] events) => new
    {
        direction = "inbound",
        description = "joined from B",
        events_requested = events,
        delivery = new { method },
        source,
    };

    private static (string Local, string Remote) Ids(JsonObject joined) =>
        (joined["stream_id"]!.GetValue<string>(), joined["source"]!["stream_id"]!.GetValue<string>());

    private async Task<JsonObject> ReadAtSourceAsync(string remoteId) =>
        (await _aClient.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={remoteId}"))!;

    private StreamRoute RouteAtB(string localId) => _b.Factory.Services.GetRequiredService<StreamCatalog>().Find(localId)!;

    private StreamRoute? RouteAtA(string remoteId) => _a.Factory.Services.GetRequiredService<StreamCatalog>().Find(remoteId);

    private static long Pending(JsonObject stream) => stream["pending"]!.GetValue<long>();

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    /// <summary>A's view of its stream (backlog, dead letters), once <paramref name="done"/> holds.</summary>
    private Task<JsonObject> WaitForSourceAsync(string remoteId, Func<JsonObject, bool> done) =>
        Eventually.GetAsync(
            async () => (await _a.Admin.GetFromJsonAsync<JsonArray>("/admin/streams?project=p1"))!.Single(s => s!["stream_id"]!.GetValue<string>() == remoteId)!.AsObject(),
            done,
            "A's stream to get there",
            describe: stream => stream.ToJsonString());

    /// <summary>What B stored from A, oldest first: B's own event log, read beside the running server.</summary>
    private List<(string Type, JsonObject Claims)> ReceivedAtB()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_b.DataDirectory, StorageServices.DatabaseFileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_types, token FROM events WHERE issuer = $issuer ORDER BY position";
        command.Parameters.AddWithValue("$issuer", _a.Issuer);
        using var reader = command.ExecuteReader();
        var received = new List<(string, JsonObject)>();
        while (reader.Read())
        {
            var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(reader.GetString(1).Split('.')[1]));
            received.Add((reader.GetString(0), JsonNode.Parse(payload)!.AsObject()));
        }

        return received;
    }

    /// <summary>A transmitter that creates streams but then fails as <paramref name="failure"/> says, and records deletions.</summary>
    private static async Task<WebApplication> StartFakeSourceAsync(string failure, List<string> deleted)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        string Issuer() => app.Urls.First();
        app.MapGet("/.well-known/ssf-configuration", () => Results.Json(new
        {
            issuer = Issuer(),
            jwks_uri = Issuer() + "/jwks.json",
            configuration_endpoint = Issuer() + "/streams",
            verification_endpoint = Issuer() + "/verify",
        }));
        app.MapPost("/streams", () => Results.Json(
            new
            {
                stream_id = "remote-1",
                iss = failure == "answer names another iss" ? "https://impostor.example.com" : Issuer(),
                aud = "b",
                events_delivered = new[] { SessionRevoked },
                delivery = new { method = "urn:ietf:rfc:8935" },
            },
            statusCode: StatusCodes.Status201Created));
        app.MapPost("/verify", () => Results.StatusCode(StatusCodes.Status500InternalServerError));
        app.MapDelete("/streams", (HttpRequest request) =>
        {
            lock (deleted)
            {
                deleted.Add(request.Query["stream_id"].ToString());
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        return app;
    }

    private async Task AssertNoStreamsAsync()
    {
        Assert.Empty((await _b.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
        Assert.Empty((await _aClient.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }
}
