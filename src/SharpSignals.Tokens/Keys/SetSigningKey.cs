using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>
/// A private key that signs SETs, with its algorithm and key ID (the RFC 7638 thumbprint unless
/// given). The key material never leaves it except through <see cref="ExportPrivateJwk"/>, which is
/// meant for storage encrypted at rest.
/// </summary>
public sealed class SetSigningKey
{
    private SetSigningKey(AsymmetricSecurityKey key, string algorithm, string? keyId)
    {
        if (!SigningAlgorithms.Verifying.Contains(algorithm)
            || (SigningAlgorithms.IsRsa(algorithm) ? key is not RsaSecurityKey : key is not ECDsaSecurityKey))
        {
            throw new ArgumentException($"Algorithm {algorithm} cannot sign with a {key.GetType().Name}.", nameof(algorithm));
        }

        key.KeyId = keyId ?? Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromSecurityKey(key).ComputeJwkThumbprint());
        SecurityKey = key;
        Algorithm = algorithm;
        Credentials = new SigningCredentials(key, algorithm);
        PublicJwk = Jwk.ToPublic(JsonWebKeyConverter.ConvertFromSecurityKey(key), algorithm);
    }

    /// <summary>The key ID, sent as the JOSE header <c>kid</c>.</summary>
    public string KeyId => SecurityKey.KeyId;

    /// <summary>The JWS algorithm, sent as the JOSE header <c>alg</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The key, for verifying what it signed.</summary>
    public AsymmetricSecurityKey SecurityKey { get; }

    /// <summary>The public half as a JWK, with <c>use</c> and <c>alg</c> set and no private member.</summary>
    public JsonWebKey PublicJwk { get; }

    internal SigningCredentials Credentials { get; }

    /// <summary>Generates a new key: P-256 for ES256, or an RSA key for RS256 and PS256.</summary>
    /// <param name="algorithm">ES256 (default), RS256 or PS256.</param>
    /// <param name="rsaKeySize">The RSA modulus size in bits; at least 2048.</param>
    /// <returns>The key.</returns>
    public static SetSigningKey Generate(string algorithm = SigningAlgorithms.ES256, int rsaKeySize = 2048)
    {
        if (!SigningAlgorithms.Signing.Contains(algorithm))
        {
            throw new ArgumentException($"New keys are generated for {string.Join(", ", SigningAlgorithms.Signing)}, not {algorithm}.", nameof(algorithm));
        }

        // CAEP interoperability profile §2.6: RSA keys of at least 2048 bits.
        ArgumentOutOfRangeException.ThrowIfLessThan(rsaKeySize, 2048);
        AsymmetricSecurityKey key = SigningAlgorithms.IsRsa(algorithm)
            ? new RsaSecurityKey(RSA.Create(rsaKeySize))
            : new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        return new SetSigningKey(key, algorithm, keyId: null);
    }

    /// <summary>Loads a key from a private JWK, as written by <see cref="ExportPrivateJwk"/>.</summary>
    /// <param name="json">The JWK JSON with its private members.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The JWK is not a private EC or RSA key with an algorithm.</exception>
    public static SetSigningKey FromPrivateJwk(string json)
    {
        var jwk = new JsonWebKey(json);
        var key = Jwk.ToSecurityKey(jwk, requirePrivate: true);
        var algorithm = string.IsNullOrEmpty(jwk.Alg) ? throw new ArgumentException("The JWK has no alg.", nameof(json)) : jwk.Alg;
        return new SetSigningKey(key, algorithm, string.IsNullOrEmpty(jwk.Kid) ? null : jwk.Kid);
    }

    /// <summary>Writes the key with its private members as JWK JSON, for storage encrypted at rest.</summary>
    /// <returns>The private JWK JSON.</returns>
    public string ExportPrivateJwk() => Jwk.WritePrivate(JsonWebKeyConverter.ConvertFromSecurityKey(SecurityKey), Algorithm);
}
