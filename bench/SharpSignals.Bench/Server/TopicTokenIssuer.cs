using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The publishing side of notiflux topics: a fresh ES256 key whose public half the server is told to
/// trust, and the topic tokens it signs (<c>exp</c>, <c>topic</c>, <c>scope</c>), as docs/GUIDE.md's
/// token maker makes them.
/// </summary>
internal sealed class TopicTokenIssuer : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key as base64 of its PEM, the form of notiflux's <c>JWT_PUBLIC_KEY_B64</c>.</summary>
    public string PublicPemBase64 => Convert.ToBase64String(Encoding.UTF8.GetBytes(_key.ExportSubjectPublicKeyInfoPem()));

    /// <summary>A compact JWS for one topic and scope, valid for <paramref name="lifetime"/>.</summary>
    public string Create(string topic, string scope, TimeSpan lifetime)
    {
        var header = Base64Url.EncodeToString("""{"alg":"ES256","typ":"JWT"}"""u8);
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["exp"] = TimeProvider.System.GetUtcNow().Add(lifetime).ToUnixTimeSeconds(),
            ["topic"] = topic,
            ["scope"] = scope,
        });
        var input = header + "." + Base64Url.EncodeToString(claims);

        // RFC 7518 §3.4: ES256 signatures are R || S, which is .NET's default (IEEE P1363) format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
