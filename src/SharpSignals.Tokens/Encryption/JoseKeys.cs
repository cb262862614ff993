using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Encryption;

/// <summary>
/// Turns IdentityModel keys into the platform key objects jose-jwt takes (an <see cref="RSA"/>, or an
/// <see cref="ECDiffieHellman"/> for key agreement), once per key: a stream encrypts every SET with the
/// same recipient key, so the import is not repeated per SET.
/// </summary>
internal static class JoseKeys
{
    /// <summary>The converted key of each SecurityKey, or null when it is neither RSA nor EC; dropped with the key.</summary>
    private static readonly ConditionalWeakTable<SecurityKey, AsymmetricAlgorithm?> Converted = new();

    /// <summary>The RSA key of <paramref name="key"/>, or null when it is not an RSA key.</summary>
    public static RSA? Rsa(SecurityKey key) => Convert(key) as RSA;

    /// <summary>The EC key of <paramref name="key"/> for ECDH, or null when it is not an EC key.</summary>
    public static ECDiffieHellman? Ec(SecurityKey key) => Convert(key) as ECDiffieHellman;

    /// <summary>The size in bits of an RSA key, or of an EC key's curve; 0 when not known.</summary>
    public static int KeySize(SecurityKey key) => Convert(key)?.KeySize ?? 0;

    /// <summary>Whether the key holds its private half.</summary>
    public static bool HasPrivateKey(SecurityKey key) => key switch
    {
        JsonWebKey jwk => jwk.HasPrivateKey,
        AsymmetricSecurityKey asymmetric => asymmetric.PrivateKeyStatus != PrivateKeyStatus.DoesNotExist,
        _ => false,
    };

    /// <summary>The named curve of a JWK <c>crv</c> (RFC 7518 §6.2.1.1) and its coordinate length in bytes.</summary>
    public static bool TryCurve(string crv, out ECCurve curve, out int coordinateLength)
    {
        (curve, coordinateLength) = crv switch
        {
            JsonWebKeyECTypes.P256 => (ECCurve.NamedCurves.nistP256, 32),
            JsonWebKeyECTypes.P384 => (ECCurve.NamedCurves.nistP384, 48),
            JsonWebKeyECTypes.P521 => (ECCurve.NamedCurves.nistP521, 66),
            _ => (default, 0),
        };
        return coordinateLength != 0;
    }

    private static AsymmetricAlgorithm? Convert(SecurityKey key) => Converted.GetValue(key, static k =>
    {
        try
        {
            return k switch
            {
                RsaSecurityKey { Rsa: { } rsa } => rsa,
                RsaSecurityKey rsa => RSA.Create(rsa.Parameters),
                ECDsaSecurityKey ec => EcdhOf(ec.ECDsa),
                X509SecurityKey x509 => (AsymmetricAlgorithm?)x509.Certificate.GetRSAPrivateKey() ?? x509.Certificate.GetRSAPublicKey(),
                JsonWebKey jwk when jwk.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve
                    => Jwk.ToSecurityKey(jwk, requirePrivate: jwk.HasPrivateKey) switch
                    {
                        RsaSecurityKey { Rsa: { } rsa } => rsa,
                        ECDsaSecurityKey ec => EcdhOf(ec.ECDsa),
                        _ => null,
                    },
                _ => null,
            };
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // A key that does not import is no key: the caller says which kind it needed.
            return null;
        }
    });

    /// <summary>ECDH and ECDSA share keys on the NIST curves; the private half is copied when present.</summary>
    private static ECDiffieHellman EcdhOf(ECDsa ecdsa)
    {
        ECParameters parameters;
        try
        {
            parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        }

        return ECDiffieHellman.Create(parameters);
    }
}
