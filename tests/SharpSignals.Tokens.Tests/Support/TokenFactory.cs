using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Tests.Support;

/// <summary>Makes tokens a well-behaved signer never would, to see the validator refuse them.</summary>
internal static class TokenFactory
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static string Sign(string payloadJson, SecurityKey key, string algorithm, Dictionary<string, object>? header = null) =>
        Handler.CreateToken(payloadJson, new SigningCredentials(key, algorithm), header ?? new() { ["typ"] = SetMediaTypes.JoseType });

    public static string Sign(string payloadJson, SetSigningKey key, Dictionary<string, object>? header = null) =>
        Sign(payloadJson, key.SecurityKey, key.Algorithm, header);

    /// <summary>Signs header and payload exactly as written, so that they can hold what no JSON writer produces (a member twice).</summary>
    public static string SignText(string headerJson, string payloadJson, SetSigningKey key)
    {
        var input = $"{B64(headerJson)}.{B64(payloadJson)}";
        var provider = key.SecurityKey.CryptoProviderFactory.CreateForSigning(key.SecurityKey, key.Algorithm);
        try
        {
            return $"{input}.{Base64UrlEncoder.Encode(provider.Sign(Encoding.ASCII.GetBytes(input)))}";
        }
        finally
        {
            key.SecurityKey.CryptoProviderFactory.ReleaseSignatureProvider(provider);
        }
    }

    public static string Unsigned(string payloadJson, string typ = SetMediaTypes.JoseType) =>
        $"{B64("""{"alg":"none","typ":"TYP"}""".Replace("TYP", typ, StringComparison.Ordinal))}.{B64(payloadJson)}.";

    /// <summary>The classic key-confusion attack: HS256 keyed with the issuer's public key, which anyone can read.</summary>
    public static string HmacWithPublicKey(string payloadJson, SetSigningKey issuerKey)
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Jwk.WritePublic(issuerKey.PublicJwk))) { KeyId = issuerKey.KeyId };
        return Sign(payloadJson, secret, SecurityAlgorithms.HmacSha256);
    }

    public static string ReplacePayload(string token, string payloadJson)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{B64(payloadJson)}.{parts[2]}";
    }

    public static string ReplaceHeader(string token, string headerJson)
    {
        var parts = token.Split('.');
        return $"{B64(headerJson)}.{parts[1]}.{parts[2]}";
    }

    public static string DecodeHeader(string token) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[0]));

    public static string DecodePayload(string token) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));

    private static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
