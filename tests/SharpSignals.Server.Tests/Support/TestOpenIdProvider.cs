using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// A real OpenID Connect provider on a loopback port for the console's sign-in tests: discovery,
/// JWKS, <c>/authorize</c> that signs <see cref="User"/> in at once and sends the browser back with a
/// code, and <c>/token</c> that spends the code once, checks the redirect URI, the client secret and
/// the PKCE verifier (RFC 7636 §4.6) and answers with an ES256 ID token signed by Microsoft.IdentityModel.
/// Written by hand because no provider package here runs in-process with this little: OpenIddict's
/// server would need its degraded mode and handlers of our own for client, code and user anyway,
/// and a second JOSE stack beside the one the server pins. It serves only the authorization code flow.
/// </summary>
internal sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "sharpsignals-console";

    public const string ClientSecret = "console-secret-for-tests";

    private const string KeyId = "test-provider-1";

    private readonly WebApplication _app;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _authorizeRequests = new();
    private int _idTokens;

    private TestOpenIdProvider(WebApplication app, string authority)
    {
        _app = app;
        Authority = authority;
    }

    /// <summary>
    /// The issuer, on <c>localhost</c>: another site than the server's <c>127.0.0.1</c>, so the
    /// browser treats the trip through the provider as cross-site, as it is in production.
    /// </summary>
    public string Authority { get; }

    /// <summary>The claims of the user <c>/authorize</c> signs in (beyond iss, aud, exp, iat and nonce).</summary>
    public IDictionary<string, object> User { get; set; } = new Dictionary<string, object> { ["sub"] = "nobody" };

    /// <summary>The query of every <c>/authorize</c> request, in order.</summary>
    public IReadOnlyCollection<IReadOnlyDictionary<string, string>> AuthorizeRequests => _authorizeRequests;

    /// <summary>How many ID tokens <c>/token</c> has issued.</summary>
    public int IdTokensIssued => Volatile.Read(ref _idTokens);

    public static async Task<TestOpenIdProvider> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://localhost:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var provider = new TestOpenIdProvider(app, $"http://localhost:{port}");
            provider.Map();
            try
            {
                await app.StartAsync();
                return provider;
            }
            catch (IOException ex) when (attempt < 3 && ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static IResult Error(string error, int status = StatusCodes.Status400BadRequest) =>
        Results.Text(new JsonObject { ["error"] = error }.ToJsonString(), "application/json", statusCode: status);

    private static string Base64Url(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Text(
            new JsonObject
            {
                ["issuer"] = Authority,
                ["authorization_endpoint"] = Authority + "/authorize",
                ["token_endpoint"] = Authority + "/token",
                ["jwks_uri"] = Authority + "/jwks",
                ["response_types_supported"] = new JsonArray("code"),
                ["response_modes_supported"] = new JsonArray("query"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("ES256"),
                ["code_challenge_methods_supported"] = new JsonArray("S256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "client_secret_basic"),
            }.ToJsonString(),
            "application/json"));

        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_key) { KeyId = KeyId });
            return Results.Text(
                new JsonObject
                {
                    ["keys"] = new JsonArray(new JsonObject { ["kty"] = "EC", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = KeyId, ["use"] = "sig", ["alg"] = "ES256" }),
                }.ToJsonString(),
                "application/json");
        });

        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", (Delegate)TokenAsync);
    }

    /// <summary>Signs <see cref="User"/> in at once and sends the browser back to the client with a code (OpenID Connect Core 1.0 §3.1.2.5).</summary>
    private IResult Authorize(HttpContext http)
    {
        var query = http.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        _authorizeRequests.Enqueue(query);
        if (query.GetValueOrDefault("client_id") != ClientId
            || query.GetValueOrDefault("response_type") != "code"
            || query.GetValueOrDefault("code_challenge_method") != "S256"
            || query.GetValueOrDefault("code_challenge") is not { Length: > 0 } challenge
            || query.GetValueOrDefault("redirect_uri") is not { Length: > 0 } redirectUri)
        {
            return Error("invalid_request");
        }

        var code = Base64Url(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new IssuedCode(redirectUri, challenge, query.GetValueOrDefault("nonce"), new Dictionary<string, object>(User, StringComparer.Ordinal));
        var back = $"{redirectUri}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query.GetValueOrDefault("state") ?? "")}";
        return Results.Redirect(back);
    }

    /// <summary>The code for an ID token (OpenID Connect Core 1.0 §3.1.3), once, for this client, with the PKCE verifier.</summary>
    private async Task<IResult> TokenAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var (clientId, secret) = ClientCredentials(http.Request, form);
        if (clientId != ClientId || secret != ClientSecret)
        {
            return Error("invalid_client", StatusCodes.Status401Unauthorized);
        }

        if (form["grant_type"] != "authorization_code"
            || !_codes.TryRemove(form["code"].ToString(), out var issued)
            || form["redirect_uri"] != issued.RedirectUri
            || Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != issued.CodeChallenge)
        {
            return Error("invalid_grant");
        }

        var accessToken = Base64Url(RandomNumberGenerator.GetBytes(32));
        var claims = new Dictionary<string, object>(issued.User, StringComparer.Ordinal)
        {
            // OpenID Connect Core 1.0 §3.1.3.6: the left half of the access token's SHA-256.
            ["at_hash"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]),
        };
        if (issued.Nonce is { } nonce)
        {
            claims["nonce"] = nonce;
        }

        var now = DateTime.UtcNow;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
        });
        Interlocked.Increment(ref _idTokens);
        return Results.Text(
            new JsonObject
            {
                ["access_token"] = accessToken,
                ["token_type"] = "Bearer",
                ["expires_in"] = 300,
                ["id_token"] = idToken,
            }.ToJsonString(),
            "application/json");
    }

    /// <summary>client_secret_basic (RFC 6749 §2.3.1) or client_secret_post.</summary>
    private static (string? ClientId, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            && header.Parameter is { } parameter)
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter)).Split(':', 2);
            return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : (null, null);
        }

        return (form["client_id"].ToString(), form["client_secret"].ToString());
    }

    private sealed record IssuedCode(string RedirectUri, string CodeChallenge, string? Nonce, IReadOnlyDictionary<string, object> User);
}
