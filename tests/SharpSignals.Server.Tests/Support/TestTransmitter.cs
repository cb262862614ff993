using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// A minimal SSF transmitter on a loopback port: its issuer is its URL, it publishes its discovery
/// document and JWKS, and it signs whatever claims a test hands it, also ones a real transmitter
/// never would, to see a receiver refuse them.
/// </summary>
internal sealed class TestTransmitter : IAsyncDisposable
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly WebApplication _app;
    private readonly List<SetSigningKey> _published = [];
    private int _jwksFetches;

    private TestTransmitter(WebApplication app, SetSigningKey key)
    {
        _app = app;
        Key = key;
        _published.Add(key);
    }

    /// <summary>The key that signs; <see cref="RotateKey"/> replaces it.</summary>
    public SetSigningKey Key { get; private set; }

    /// <summary>How many times the JWKS was fetched.</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>Signs with a new key from now on, published beside the old one, as a transmitter rotating its key does.</summary>
    public void RotateKey()
    {
        var next = SetSigningKey.Generate();
        lock (_published)
        {
            _published.Add(next);
        }

        Key = next;
    }

    private string PublicJwks()
    {
        Interlocked.Increment(ref _jwksFetches);
        lock (_published)
        {
            return Jwk.WritePublicSet(_published.Select(k => k.PublicJwk));
        }
    }

    public string Issuer => _app.Urls.First();

    public string JwksUri => Issuer + "/jwks.json";

    public static async Task<TestTransmitter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var transmitter = new TestTransmitter(app, SetSigningKey.Generate());
        app.MapGet("/jwks.json", () => Results.Text(transmitter.PublicJwks(), "application/json"));
        app.MapGet("/.well-known/ssf-configuration", () => Results.Json(new
        {
            spec_version = "1_0",
            issuer = transmitter.Issuer,
            jwks_uri = transmitter.JwksUri,
            delivery_methods_supported = new[] { "urn:ietf:rfc:8935", "urn:ietf:rfc:8936" },
        }));
        await app.StartAsync();
        return transmitter;
    }

    /// <summary>A well-formed SET from this issuer for <paramref name="audience"/>, with the claims given merged over the defaults.</summary>
    public string Sign(string audience, object? overrides = null, SecurityKey? key = null, Dictionary<string, object>? header = null)
    {
        var claims = Claims(audience, overrides);
        return Handler.CreateToken(
            claims.ToJsonString(),
            new SigningCredentials(key ?? Key.SecurityKey, Key.Algorithm),
            header ?? new Dictionary<string, object> { ["typ"] = SetMediaTypes.JoseType });
    }

    /// <summary>A SET signed with this issuer's key over header and claims exactly as written, so that they can hold a member twice.</summary>
    public string SignText(string headerJson, string claimsJson)
    {
        var input = $"{B64(headerJson)}.{B64(claimsJson)}";
        var factory = Key.SecurityKey.CryptoProviderFactory;
        var provider = factory.CreateForSigning(Key.SecurityKey, Key.Algorithm);
        try
        {
            return $"{input}.{Base64UrlEncoder.Encode(provider.Sign(Encoding.ASCII.GetBytes(input)))}";
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }

    /// <summary>
    /// A validly signed SET whose content cannot be read: <paramref name="poison"/> names how (see
    /// <see cref="PoisonKinds"/>). A receiver must refuse it with invalid_request, not fail on it.
    /// </summary>
    public string SignPoison(string audience, string poison, string? jti = null)
    {
        var claims = Claims(audience, jti is null ? null : new { jti });
        const string Marker = "POISON-MARKER";
        var json = poison switch
        {
            "lone surrogate in sub_id" => claims.ToJsonString().Replace("alice@example.com", "alice\\ud800@example.com", StringComparison.Ordinal),
            "lone surrogate in the event type" => claims.ToJsonString().Replace("session-revoked", "session-revoked\\udc00", StringComparison.Ordinal),
            "sub_id a number" => Override(claims, "sub_id", 42),
            "unknown sub_id format with a lone surrogate member" => Override(claims, "sub_id", new System.Text.Json.Nodes.JsonObject { ["format"] = "x-custom", [Marker] = new System.Text.Json.Nodes.JsonArray(1, null) })
                .Replace(Marker, "\\udbff", StringComparison.Ordinal),
            "events an array" => Override(claims, "events", new System.Text.Json.Nodes.JsonArray("x")),
            _ => throw new ArgumentOutOfRangeException(nameof(poison), poison, "no such poison"),
        };
        return Handler.CreateToken(json, new SigningCredentials(Key.SecurityKey, Key.Algorithm), new Dictionary<string, object> { ["typ"] = SetMediaTypes.JoseType });
    }

    /// <summary>The kinds <see cref="SignPoison"/> makes.</summary>
    public static TheoryData<string> PoisonKinds() =>
        ["lone surrogate in sub_id", "lone surrogate in the event type", "sub_id a number", "unknown sub_id format with a lone surrogate member", "events an array"];

    private static string Override(System.Text.Json.Nodes.JsonObject claims, string name, System.Text.Json.Nodes.JsonNode value)
    {
        claims[name] = value;
        return claims.ToJsonString();
    }

    /// <summary>The claims of a session-revoked SET, with <paramref name="overrides"/> merged over them (a null value removes a claim).</summary>
    public System.Text.Json.Nodes.JsonObject Claims(string audience, object? overrides = null)
    {
        var claims = new System.Text.Json.Nodes.JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["txn"] = "txn-" + Guid.NewGuid().ToString("N")[..8],
            ["sub_id"] = new System.Text.Json.Nodes.JsonObject { ["format"] = "email", ["email"] = "alice@example.com" },
            ["events"] = new System.Text.Json.Nodes.JsonObject
            {
                ["https://schemas.openid.net/secevent/caep/event-type/session-revoked"] = new System.Text.Json.Nodes.JsonObject { ["initiating_entity"] = "admin" },
            },
        };
        if (overrides is not null)
        {
            foreach (var (name, value) in JsonSerializer.SerializeToNode(overrides)!.AsObject())
            {
                if (value is null)
                {
                    claims.Remove(name);
                }
                else
                {
                    claims[name] = value.DeepClone();
                }
            }
        }

        return claims;
    }

    /// <summary>An unsigned token (<c>alg: none</c>) carrying the claims.</summary>
    public static string Unsigned(System.Text.Json.Nodes.JsonObject claims) =>
        $"{B64("""{"alg":"none","typ":"secevent+jwt"}""")}.{B64(claims.ToJsonString())}.";

    private static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
