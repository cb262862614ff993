using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Tenancy;

/// <summary>
/// docs/TENANTS.md: two tenants of one server are two issuers that share nothing. Every way across (a token of
/// one on the other's path or streams, one's receiver polling the other's stream, an event of one reaching the
/// other, one's IAT or client credentials at the other's endpoints, one's admin token on the other) is refused,
/// and each signs with its own keys as its own issuer.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private static readonly string[] Requested = [EventTypes.Caep.SessionRevoked];

    private SsfTestServer _server = null!;
    private TestTenant _acme = null!;
    private TestTenant _beta = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer();
        _acme = await TestTenant.CreateAsync(_server, "acme");
        _beta = await TestTenant.CreateAsync(_server, "beta");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Discovery_EachTenantIsItsOwnIssuerWithItsOwnKeys()
    {
        using var anonymous = _server.Factory.CreateClient();
        var acme = (await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/ssf-configuration/t/acme"))!;
        var beta = (await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/ssf-configuration/t/beta"))!;
        var root = (await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/ssf-configuration"))!;

        Assert.Equal(_acme.Issuer, (string?)acme["issuer"]);
        Assert.Equal(_beta.Issuer, (string?)beta["issuer"]);
        Assert.Equal(ServerFactory.Issuer, (string?)root["issuer"]);
        Assert.Equal(_acme.Issuer + "/ssf/streams", (string?)acme["configuration_endpoint"]);
        Assert.Equal(_acme.Issuer + "/jwks.json", (string?)acme["jwks_uri"]);

        var kids = await Task.WhenAll(new[] { "/t/acme/jwks.json", "/t/beta/jwks.json", "/jwks.json" }.Select(async path =>
            string.Join(",", JsonDocument.Parse(await anonymous.GetStringAsync(path)).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()))));
        Assert.Equal(3, kids.Distinct().Count());

        // Each tenant has encryption keys of its own too (use: enc), which SETs sent to it may be encrypted to.
        var encryptionKids = await Task.WhenAll(new[] { "/t/acme/jwks.json", "/t/beta/jwks.json", "/jwks.json" }.Select(async path =>
            string.Join(",", JsonDocument.Parse(await anonymous.GetStringAsync(path)).RootElement.GetProperty("keys").EnumerateArray()
                .Where(k => k.GetProperty("use").GetString() == "enc").Select(k => k.GetProperty("kid").GetString()))));
        Assert.All(encryptionKids, k => Assert.NotEmpty(k));
        Assert.Equal(3, encryptionKids.Distinct().Count());

        foreach (var unknown in new[] { "/.well-known/ssf-configuration/t/nobody", "/.well-known/ssf-configuration/t/ACME", "/t/nobody/jwks.json", "/t/acme/metrics", "/t/acme/console", "/t/acme/admin/tenants", "/t/acme/.well-known/ssf-configuration" })
        {
            using var response = await anonymous.GetAsync(unknown);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{unknown}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task EventPublishedInOneTenant_ReachesOnlyItsStreams_SignedAsItsIssuer()
    {
        var (acmeClient, _, _) = await _acme.RegisterClientAsync();
        var (betaClient, _, _) = await _beta.RegisterClientAsync();
        var (rootClient, _, _) = await _server.RegisterClientAsync();
        var poll = new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } };
        var acmeStream = (string)(await SsfTestServer.CreateStreamAsync(acmeClient, poll))["stream_id"]!;
        var betaStream = (string)(await SsfTestServer.CreateStreamAsync(betaClient, poll))["stream_id"]!;
        var rootStream = (string)(await SsfTestServer.CreateStreamAsync(rootClient, poll))["stream_id"]!;

        // Same project name (p1) in every tenant, the same subject: still three worlds.
        var jti = await SsfTestServer.PublishAsync(acmeClient, SsfTestServer.SessionRevoked());

        var sets = (await SsfTestServer.PollAsync(acmeClient, acmeStream, new { returnImmediately = true }))["sets"]!.AsObject();
        var token = (string)Assert.Single(sets).Value!;
        var result = await _acme.ValidateAsync(token);
        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal(_acme.Issuer, result.Set!.Issuer);
        Assert.False((await _beta.ValidateAsync(token)).IsValid);
        Assert.False((await _server.ValidateAsync(token)).IsValid);

        Assert.Empty((await SsfTestServer.PollAsync(betaClient, betaStream, new { returnImmediately = true }))["sets"]!.AsObject());
        Assert.Empty((await SsfTestServer.PollAsync(rootClient, rootStream, new { returnImmediately = true }))["sets"]!.AsObject());

        // The event is acme's: beta's admin cannot find it, by jti or by search.
        using var betaAdmin = _beta.CreateAdminClient();
        using var acmeAdmin = _acme.CreateAdminClient();
        Assert.Equal(HttpStatusCode.NotFound, (await betaAdmin.GetAsync($"/events/{jti}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Admin.GetAsync($"/events/{jti}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acmeAdmin.GetAsync($"/events/{jti}")).StatusCode);
        Assert.Empty((await betaAdmin.GetFromJsonAsync<JsonObject>("/admin/events"))!["events"]!.AsArray());
        Assert.Empty((await _server.Admin.GetFromJsonAsync<JsonObject>("/admin/events"))!["events"]!.AsArray());
        var found = Assert.Single((await acmeAdmin.GetFromJsonAsync<JsonObject>("/admin/events"))!["events"]!.AsArray());
        Assert.Equal("p1", (string?)found!["project"]);
    }

    [Fact]
    public async Task TokensOfOneTenant_AreInvalidUnderTheOther_AndItsStreamsUnknown()
    {
        var (acmeClient, acmeClientId, acmeSecret) = await _acme.RegisterClientAsync();
        var (betaClient, _, _) = await _beta.RegisterClientAsync();
        var acmeStream = (string)(await SsfTestServer.CreateStreamAsync(acmeClient, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } }))["stream_id"]!;
        var acmeToken = acmeClient.DefaultRequestHeaders.Authorization!.Parameter!;

        // acme's access token under beta's path: not a token there (RFC 6750 §3.1 invalid_token).
        using var acmeTokenAtBeta = _beta.CreateClient();
        acmeTokenAtBeta.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", acmeToken);
        using var read = await acmeTokenAtBeta.GetAsync($"/ssf/streams?stream_id={acmeStream}");
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Contains("invalid_token", read.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // ... and at the root.
        using var acmeTokenAtRoot = _server.Factory.CreateClient();
        acmeTokenAtRoot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", acmeToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await acmeTokenAtRoot.GetAsync($"/ssf/streams?stream_id={acmeStream}")).StatusCode);

        // beta's receiver polling acme's stream: under its own path the stream does not exist; under acme's its token is not valid.
        using var betaPollsOwnPath = await betaClient.PostAsJsonAsync($"/ssf/poll/{acmeStream}", new { returnImmediately = true });
        Assert.Equal(HttpStatusCode.NotFound, betaPollsOwnPath.StatusCode);
        using var betaTokenAtAcme = _acme.CreateClient();
        betaTokenAtAcme.DefaultRequestHeaders.Authorization = betaClient.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Unauthorized, (await betaTokenAtAcme.PostAsJsonAsync($"/ssf/poll/{acmeStream}", new { returnImmediately = true })).StatusCode);

        // beta's receiver changing, verifying or deleting acme's stream: 404, nothing changed.
        Assert.Equal(HttpStatusCode.NotFound, (await betaClient.PostAsJsonAsync("/ssf/verify", new { stream_id = acmeStream })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await betaClient.PostAsJsonAsync("/ssf/status", new { stream_id = acmeStream, status = "disabled" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await betaClient.DeleteAsync($"/ssf/streams?stream_id={acmeStream}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acmeClient.GetAsync($"/ssf/streams?stream_id={acmeStream}")).StatusCode);

        // acme's client credentials at beta's token endpoint: invalid_client.
        using var basic = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }) };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{acmeClientId}:{acmeSecret}")));
        using var betaAnonymous = _beta.CreateClient();
        using var token = await betaAnonymous.SendAsync(basic);
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        Assert.Contains("invalid_client", await token.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminTokens_EachOnlyItsOwnTenant()
    {
        using var acmeAdmin = _acme.CreateAdminClient();
        using var betaAdmin = _beta.CreateAdminClient();
        var (betaClient, _, _) = await _beta.RegisterClientAsync();
        var betaStream = (string)(await SsfTestServer.CreateStreamAsync(betaClient, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } }))["stream_id"]!;

        // acme's admin token is no token under beta's path, nor at the root; the root's is none under a tenant's.
        using var acmeAdminAtBeta = _beta.CreateClient();
        acmeAdminAtBeta.DefaultRequestHeaders.Authorization = acmeAdmin.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Unauthorized, (await acmeAdminAtBeta.GetAsync("/admin/streams")).StatusCode);
        using var acmeAdminAtRoot = _server.Factory.CreateClient();
        acmeAdminAtRoot.DefaultRequestHeaders.Authorization = acmeAdmin.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Unauthorized, (await acmeAdminAtRoot.GetAsync("/admin/streams")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await acmeAdminAtRoot.GetAsync("/admin/tenants")).StatusCode);
        using var rootAdminAtAcme = _acme.CreateClient();
        rootAdminAtAcme.DefaultRequestHeaders.Authorization = _server.Admin.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Unauthorized, (await rootAdminAtAcme.GetAsync("/admin/streams")).StatusCode);

        // Each admin sees its own streams only, and cannot act on another's.
        Assert.Empty((await acmeAdmin.GetFromJsonAsync<JsonArray>("/admin/streams"))!);
        Assert.Empty((await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!);
        Assert.Equal(betaStream, (string?)Assert.Single((await betaAdmin.GetFromJsonAsync<JsonArray>("/admin/streams"))!)!["stream_id"]);
        Assert.Empty((await acmeAdmin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await acmeAdmin.GetAsync($"/ssf/streams?stream_id={betaStream}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acmeAdmin.PostAsJsonAsync($"/admin/streams/{betaStream}/replay", new { from_position = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Admin.GetAsync($"/admin/streams/{betaStream}/deadletters")).StatusCode);
        Assert.Empty((await acmeAdmin.GetFromJsonAsync<JsonArray>("/admin/clients"))!);
        Assert.Single((await betaAdmin.GetFromJsonAsync<JsonArray>("/admin/clients"))!);

        // An IAT of beta does not register a client under acme.
        using var iat = await betaAdmin.PostAsJsonAsync("/iat", new { project = "p2", expires_in = 600 });
        var issued = await iat.Content.ReadFromJsonAsync<JsonElement>();
        var iatToken = issued.GetProperty("token").GetString();
        Assert.Equal("p2", issued.GetProperty("project").GetString());
        using var register = new HttpRequestMessage(HttpMethod.Post, "/register") { Content = JsonContent.Create(new { client_name = "x", scope = "ssf.read" }) };
        register.Headers.Authorization = new AuthenticationHeaderValue("Bearer", iatToken);
        using var acmeAnonymous = _acme.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await acmeAnonymous.SendAsync(register)).StatusCode);

        // A tenant admin manages no tenants, and rotating acme's keys leaves beta's and the root's.
        var betaJwks = await betaAdmin.GetStringAsync("/jwks.json");
        var rootJwks = await _server.Factory.CreateClient().GetStringAsync("/jwks.json");
        (await acmeAdmin.PostAsJsonAsync("/admin/keys/rotate", new { now = true })).EnsureSuccessStatusCode();
        Assert.Equal(betaJwks, await betaAdmin.GetStringAsync("/jwks.json"));
        Assert.Equal(rootJwks, await _server.Factory.CreateClient().GetStringAsync("/jwks.json"));
        Assert.Equal(2, JsonDocument.Parse(await acmeAdmin.GetStringAsync("/jwks.json")).RootElement.GetProperty("keys").EnumerateArray().Count(k => k.GetProperty("use").GetString() == "sig"));
    }

    [Fact]
    public async Task InboundPushStream_TakesSetsOnlyUnderItsTenantsPath()
    {
        using var acmeAdmin = _acme.CreateAdminClient();
        var created = await SsfTestServer.CreateStreamAsync(acmeAdmin, new
        {
            direction = "inbound",
            events_requested = Requested,
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = "https://transmitter.example", jwks = new { keys = Array.Empty<object>() } },
        });
        var streamId = (string)created["stream_id"]!;
        var endpoint = (string)created["delivery"]!["endpoint_url"]!;
        var credential = (string)created["delivery"]!["authorization_header"]!;
        Assert.Equal($"{_acme.Issuer}/ssf/push/{streamId}", endpoint);
        Assert.Equal(_acme.Issuer, created["aud"] is JsonArray audience ? (string?)audience.Single() : (string?)created["aud"]);

        foreach (var client in new[] { _beta.CreateClient(), _server.Factory.CreateClient() })
        {
            using (client)
            {
                using var push = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{streamId}") { Content = new StringContent("x.y.z", Encoding.UTF8, "application/secevent+jwt") };
                push.Headers.TryAddWithoutValidation("Authorization", credential);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(push)).StatusCode);
            }
        }
    }

    [Fact]
    public async Task DeletedTenant_IsGone_AndItsNameIsNotGivenAgain()
    {
        var (acmeClient, _, _) = await _acme.RegisterClientAsync();
        var acmeStream = (string)(await SsfTestServer.CreateStreamAsync(acmeClient, new { events_requested = Requested, delivery = new { method = "urn:ietf:rfc:8936" } }))["stream_id"]!;

        Assert.Equal(HttpStatusCode.NoContent, (await _server.Admin.DeleteAsync("/admin/tenants/acme")).StatusCode);

        // Its streams stop at once: disabled in the store and in the routing catalog alike.
        Assert.Equal("disabled", _server.Factory.Services.GetRequiredService<StreamCatalog>().Find(acmeStream)!.Status);

        Assert.Equal(HttpStatusCode.NotFound, (await acmeClient.GetAsync($"/ssf/streams?stream_id={acmeStream}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Factory.CreateClient().GetAsync("/.well-known/ssf-configuration/t/acme")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Admin.DeleteAsync("/admin/tenants/acme")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _server.Admin.PostAsJsonAsync("/admin/tenants", new { name = "acme" })).StatusCode);
        var names = (await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/tenants"))!.Select(t => (string?)t!["name"]);
        Assert.Equal(["beta"], names);

        // beta is untouched.
        using var betaAdmin = _beta.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await betaAdmin.GetAsync("/admin/streams")).StatusCode);
    }

    [Fact]
    public async Task TenantAdministration_RefusesBadInput_AndTenantsOutliveARestart()
    {
        foreach (var body in new object[] { new { name = "Acme" }, new { name = "-x" }, new { name = "" }, new { name = new string('a', 33) }, new { nom = "x" }, new { name = 5 } })
        {
            using var response = await _server.Admin.PostAsJsonAsync("/admin/tenants", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        using var replaced = await _server.Admin.PostAsync("/admin/tenants/beta/admin-token", null);
        var newToken = (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("admin_token").GetString();
        using (var old = _beta.CreateAdminClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/admin/streams")).StatusCode);
        }

        var acmeJwks = await _acme.CreateClient().GetStringAsync("/jwks.json");
        _server = await _server.RestartAsync();
        var acme = new TestTenant(_server, "acme", _acme.AdminToken);
        Assert.Equal(acmeJwks, await acme.CreateClient().GetStringAsync("/jwks.json"));
        using var acmeAdmin = acme.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await acmeAdmin.GetAsync("/admin/streams")).StatusCode);
        using var beta = new TestTenant(_server, "beta", newToken!).CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await beta.GetAsync("/admin/streams")).StatusCode);
    }
}
