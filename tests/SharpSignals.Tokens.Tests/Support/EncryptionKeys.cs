using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Tests.Support;

/// <summary>A receiver's encryption key pairs, generated once per test run: RSA for the RSA-OAEP algorithms, EC for ECDH-ES.</summary>
internal static class EncryptionKeys
{
    public static readonly RsaSecurityKey Rsa = new(RSA.Create(2048)) { KeyId = "rx-rsa" };

    public static readonly ECDsaSecurityKey P256 = Ec(ECCurve.NamedCurves.nistP256, "rx-p256");

    public static readonly ECDsaSecurityKey P384 = Ec(ECCurve.NamedCurves.nistP384, "rx-p384");

    public static readonly ECDsaSecurityKey P521 = Ec(ECCurve.NamedCurves.nistP521, "rx-p521");

    /// <summary>Every supported alg with every supported enc.</summary>
    public static TheoryData<string, string> Pairs()
    {
        var pairs = new TheoryData<string, string>();
        foreach (var alg in SetEncryption.KeyManagementAlgorithms)
        {
            foreach (var enc in SetEncryption.ContentEncryptionAlgorithms)
            {
                pairs.Add(alg, enc);
            }
        }

        return pairs;
    }

    public static bool IsAgreement(string alg) => alg.StartsWith(SetEncryption.EcdhEs, StringComparison.Ordinal);

    /// <summary>The receiver's private key for <paramref name="alg"/>: RSA, or EC on P-256.</summary>
    public static AsymmetricSecurityKey PrivateFor(string alg) => IsAgreement(alg) ? P256 : Rsa;

    /// <summary>The JWK with its private members.</summary>
    public static JsonWebKey PrivateJwk(SecurityKey key) => key switch
    {
        RsaSecurityKey rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(rsa),
        ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ec),
        _ => throw new ArgumentException("RSA or EC keys only", nameof(key)),
    };

    /// <summary>The key as a receiver's JWKS publishes it: public members only, <c>use: enc</c>.</summary>
    public static JsonWebKey PublicJwk(SecurityKey key)
    {
        var jwk = PrivateJwk(key);
        jwk.Use = JsonWebKeyUseNames.Enc;
        return Jwk.ToPublic(jwk);
    }

    private static ECDsaSecurityKey Ec(ECCurve curve, string kid) => new(ECDsa.Create(curve)) { KeyId = kid };
}
