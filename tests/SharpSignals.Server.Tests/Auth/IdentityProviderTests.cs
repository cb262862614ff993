using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Auth;

/// <summary>
/// Bearer JWTs from an identity provider: a real OpenID Connect discovery document and JWKS on a
/// loopback port, tokens signed with its ES256 key, and the server fetching both over HTTP.
/// </summary>
public sealed class IdentityProviderTests : IAsyncLifetime
{
    private const string Audience = "sharpsignals";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private RecordingReceiver _provider = null!;
    private SsfTestServer _server = null!;

    private string Issuer => _provider.Url("");

    public async Task InitializeAsync()
    {
        _provider = await RecordingReceiver.StartAsync();
        _provider.Serve("/.well-known/openid-configuration", new JsonObject
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = _provider.Url("/keys"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("ES256"),
        }.ToJsonString());
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_key) { KeyId = "idp-1" });
        _provider.Serve("/keys", new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject { ["kty"] = "EC", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = "idp-1", ["use"] = "sig", ["alg"] = "ES256" }),
        }.ToJsonString());

        _server = new SsfTestServer(new Dictionary<string, string?>
        {
            ["SharpSignals:IdentityProvider:Authority"] = Issuer,
            ["SharpSignals:IdentityProvider:Audience"] = Audience,
            ["SharpSignals:IdentityProvider:AdminClaim"] = "roles",
            ["SharpSignals:IdentityProvider:AdminValue"] = "signals-admin",
            ["SharpSignals:IdentityProvider:ProjectsClaim"] = "projects",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
        _strangerKey.Dispose();
    }

    [Fact]
    public async Task AdminClaim_GivesAdminAccess()
    {
        using var client = ClientWith(Token(new() { ["sub"] = "ops", ["roles"] = new[] { "reader", "signals-admin" } }));

        using var response = await client.GetAsync(new Uri("/admin/streams", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ProjectClaim_ActsInThatProjectOnly()
    {
        var elsewhere = await SsfTestServer.CreateStreamAsync(_server.Admin, new { project = "other", description = "another project's" });
        using var client = ClientWith(Token(new() { ["sub"] = "svc", ["client_id"] = "billing", ["projects"] = "team-a", ["scope"] = "openid ssf.manage" }));

        var created = await SsfTestServer.CreateStreamAsync(client, new { description = "team-a's" });
        var mine = await client.GetFromJsonAsync<JsonElement>("/ssf/streams");
        using var other = await client.GetAsync(new Uri($"/ssf/streams?stream_id={elsewhere["stream_id"]}", UriKind.Relative));
        using var admin = await client.GetAsync(new Uri("/admin/streams", UriKind.Relative));
        using var publish = await client.PostAsJsonAsync("/events", new { });
        var listed = await _server.Admin.GetFromJsonAsync<JsonElement>("/admin/streams?project=team-a");

        Assert.Equal((string)created["stream_id"]!, Assert.Single(mine.EnumerateArray()).GetProperty("stream_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, publish.StatusCode);
        Assert.Contains("scope=\"event.publish\"", publish.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var stream = Assert.Single(listed.EnumerateArray());
        Assert.Equal("team-a", stream.GetProperty("project").GetString());
        Assert.Equal("idp:billing", stream.GetProperty("owner_client_id").GetString());
    }

    [Fact]
    public async Task TheAdminToken_StillWorksBesideTheProvider()
    {
        using var response = await _server.Admin.GetAsync(new Uri("/admin/streams", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "audience", "The token is meant for another audience." },
        { "expired", "The token has expired." },
        { "unknown key", "The token is signed with a key the identity provider does not publish." },
        { "issuer", "The token is from another issuer." },
        { "no grant", "The token grants neither the admin role nor a project." },
        { "two projects", "The token must name exactly one valid project." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BadToken_Is401WithAnRfc6750Challenge(string fault, string description)
    {
        Dictionary<string, object> claims = fault switch
        {
            "no grant" => new() { ["sub"] = "nobody", ["roles"] = "reader" },
            "two projects" => new() { ["sub"] = "svc", ["projects"] = new[] { "team-a", "team-b" } },
            _ => new() { ["sub"] = "ops", ["roles"] = "signals-admin" },
        };
        var token = Token(
            claims,
            audience: fault == "audience" ? "another-service" : Audience,
            expires: fault == "expired" ? DateTimeOffset.UtcNow.AddHours(-1) : null,
            signWith: fault == "unknown key" ? _strangerKey : null,
            issuer: fault == "issuer" ? "https://idp.invalid" : null);
        using var client = ClientWith(token);

        using var response = await client.GetAsync(new Uri("/admin/streams", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());
    }

    private HttpClient ClientWith(string token)
    {
        var client = _server.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private string Token(Dictionary<string, object> claims, string audience = Audience, DateTimeOffset? expires = null, ECDsa? signWith = null, string? issuer = null)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = exp.AddMinutes(-10).UtcDateTime,
            NotBefore = exp.AddMinutes(-10).UtcDateTime,
            Expires = exp.UtcDateTime,
            SigningCredentials = new SigningCredentials(
                new ECDsaSecurityKey(signWith ?? _key) { KeyId = signWith is null ? "idp-1" : "stranger" }, SecurityAlgorithms.EcdsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
