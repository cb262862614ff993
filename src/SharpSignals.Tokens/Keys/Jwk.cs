using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>
/// JWK conversions. Public JWKs are written from an allow-list of members, so a private member can
/// never reach a published JWKS whatever the input holds.
/// </summary>
public static class Jwk
{
    private static readonly string[] PublicMembers = ["kty", "use", "kid", "alg", "crv", "x", "y", "n", "e"];
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi"];

    /// <summary>A copy of the key with only its public members, <c>use: sig</c> and the algorithm.</summary>
    /// <param name="key">The key, public or private.</param>
    /// <param name="algorithm">The algorithm to record, or null to keep the key's own.</param>
    /// <returns>The public JWK.</returns>
    public static JsonWebKey ToPublic(JsonWebKey key, string? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new JsonWebKey
        {
            Kty = key.Kty,
            Kid = key.Kid,
            Use = string.IsNullOrEmpty(key.Use) ? JsonWebKeyUseNames.Sig : key.Use,
            Alg = algorithm ?? key.Alg,
            Crv = key.Crv,
            X = key.X,
            Y = key.Y,
            N = key.N,
            E = key.E,
        };
    }

    /// <summary>Writes a JWK Set holding only the public members of each key.</summary>
    /// <param name="keys">The keys.</param>
    /// <returns>The JWKS JSON, <c>{"keys":[...]}</c>.</returns>
    public static string WritePublicSet(IEnumerable<JsonWebKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                WriteMembers(writer, key, PublicMembers);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>Writes one JWK with only its public members.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The JWK JSON.</returns>
    public static string WritePublic(JsonWebKey key) => Write(writer => WriteMembers(writer, key, PublicMembers));

    /// <summary>Reads a JWK Set.</summary>
    /// <param name="json">The JWKS JSON.</param>
    /// <returns>The keys.</returns>
    /// <exception cref="ArgumentException">The text is not a JWK Set.</exception>
    public static IReadOnlyList<JsonWebKey> ReadSet(string json) => new JsonWebKeySet(json).Keys.ToList();

    /// <summary>Converts a JWK into a key the crypto providers use directly (RSA or ECDSA).</summary>
    /// <param name="key">The JWK.</param>
    /// <param name="requirePrivate">Whether the private members must be present.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The JWK is not a usable RSA or EC key.</exception>
    public static AsymmetricSecurityKey ToSecurityKey(JsonWebKey key, bool requirePrivate = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            AsymmetricSecurityKey converted = key.Kty switch
            {
                JsonWebAlgorithmsKeyTypes.EllipticCurve => new ECDsaSecurityKey(ECDsa.Create(new ECParameters
                {
                    Curve = CurveOf(key.Crv),
                    Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(key.X), Y = Base64UrlEncoder.DecodeBytes(key.Y) },
                    D = requirePrivate ? Base64UrlEncoder.DecodeBytes(key.D) : null,
                })),
                JsonWebAlgorithmsKeyTypes.RSA => new RsaSecurityKey(RsaOf(key, requirePrivate)),
                _ => throw new ArgumentException($"Key type {key.Kty} is not supported; use EC or RSA.", nameof(key)),
            };
            converted.KeyId = key.Kid;
            return converted;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentNullException)
        {
            throw new ArgumentException($"The JWK {key.Kid} is not a valid {key.Kty} key.", nameof(key), ex);
        }
    }

    internal static string WritePrivate(JsonWebKey key, string algorithm) => Write(writer =>
    {
        key.Alg = algorithm;
        WriteMembers(writer, key, [.. PublicMembers, .. PrivateMembers]);
    });

    private static ECCurve CurveOf(string crv) => crv switch
    {
        JsonWebKeyECTypes.P256 => ECCurve.NamedCurves.nistP256,
        JsonWebKeyECTypes.P384 => ECCurve.NamedCurves.nistP384,
        JsonWebKeyECTypes.P521 => ECCurve.NamedCurves.nistP521,
        _ => throw new ArgumentException($"Curve {crv} is not supported; use P-256, P-384 or P-521."),
    };

    private static RSA RsaOf(JsonWebKey key, bool requirePrivate)
    {
        var parameters = new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(key.N),
            Exponent = Base64UrlEncoder.DecodeBytes(key.E),
        };
        if (requirePrivate)
        {
            parameters.D = Base64UrlEncoder.DecodeBytes(key.D);
            parameters.P = Base64UrlEncoder.DecodeBytes(key.P);
            parameters.Q = Base64UrlEncoder.DecodeBytes(key.Q);
            parameters.DP = Base64UrlEncoder.DecodeBytes(key.DP);
            parameters.DQ = Base64UrlEncoder.DecodeBytes(key.DQ);
            parameters.InverseQ = Base64UrlEncoder.DecodeBytes(key.QI);
        }

        return RSA.Create(parameters);
    }

    private static void WriteMembers(Utf8JsonWriter writer, JsonWebKey key, string[] members)
    {
        writer.WriteStartObject();
        foreach (var member in members)
        {
            var value = member switch
            {
                "kty" => key.Kty,
                "use" => key.Use,
                "kid" => key.Kid,
                "alg" => key.Alg,
                "crv" => key.Crv,
                "x" => key.X,
                "y" => key.Y,
                "n" => key.N,
                "e" => key.E,
                "d" => key.D,
                "p" => key.P,
                "q" => key.Q,
                "dp" => key.DP,
                "dq" => key.DQ,
                "qi" => key.QI,
                _ => null,
            };
            if (!string.IsNullOrEmpty(value))
            {
                writer.WriteString(member, value);
            }
        }

        writer.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
