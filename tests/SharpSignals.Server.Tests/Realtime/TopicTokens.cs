using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>An ES256 key pair issuing notiflux topic tokens, as a publishing side holds it.</summary>
internal sealed class TopicTokens : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key as base64 PEM, as notiflux's <c>JWT_PUBLIC_KEY_B64</c> takes it.</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_key.ExportSubjectPublicKeyInfoPem()));

    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public string Issue(string topic, string scope, TimeSpan? lifetime = null, ECDsa? signWith = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "notiflux",
            ["topic"] = topic,
            ["scope"] = scope,
            ["exp"] = DateTimeOffset.UtcNow.Add(lifetime ?? TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(),
        };
        var credentials = new SigningCredentials(new ECDsaSecurityKey(signWith ?? _key), SecurityAlgorithms.EcdsaSha256);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(JsonSerializer.Serialize(claims), credentials);
    }

    /// <summary>A token signed over header and claims exactly as written, so that they can hold <c>crit</c> or a member twice.</summary>
    public string IssueText(string headerJson, string claimsJson)
    {
        var input = $"{B64(headerJson)}.{B64(claimsJson)}";
        return $"{input}.{Base64UrlEncoder.Encode(_key.SignData(System.Text.Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256))}";
    }

    /// <summary>The claims <see cref="Issue"/> writes, as JSON text with its <c>exp</c> five minutes ahead.</summary>
    public static string Claims(string topic, string scope) =>
        $$"""{"sub":"notiflux","topic":"{{topic}}","scope":"{{scope}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()}}}""";

    private static string B64(string text) => Base64UrlEncoder.Encode(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A listening server that trusts this key for topic tokens, with <paramref name="more"/> settings, and a client of its address.</summary>
    public (Support.SsfTestServer Server, HttpClient Http) StartServer(IDictionary<string, string?> more, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>(more) { ["SharpSignals:Realtime:TrustedKeys:0"] = PublicKeyPem };
        var server = Support.SsfTestServer.StartListening(settings, time);
        return (server, new HttpClient { BaseAddress = new Uri(server.Issuer) });
    }

    public void Dispose() => _key.Dispose();
}
