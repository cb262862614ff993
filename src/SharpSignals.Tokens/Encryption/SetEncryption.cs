using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Encryption;

/// <summary>
/// Encrypts a signed SET for one receiver's public key as a nested JWT (RFC 7519 §5.2: a JWE whose
/// content is the JWS, <c>cty: JWT</c>), and decrypts such tokens.
/// </summary>
/// <remarks>
/// Supported: key management <c>RSA-OAEP</c> with content encryption <c>A128CBC-HS256</c>,
/// <c>A192CBC-HS384</c> or <c>A256CBC-HS512</c>, both ways. Not supported, because the JOSE library
/// used here (Microsoft.IdentityModel 8.x) cannot do them reliably: <c>RSA-OAEP-256</c>, the
/// <c>ECDH-ES</c> family, AES-GCM content encryption, and <c>RSA1_5</c>, which is refused on purpose
/// (padding-oracle attacks).
/// </remarks>
public static class SetEncryption
{
    /// <summary>RSAES OAEP with SHA-1 and MGF1 (RFC 7518 §4.3).</summary>
    public const string RsaOaep = "RSA-OAEP";

    /// <summary>AES-128-CBC with HMAC-SHA-256; the default content encryption.</summary>
    public const string A128CbcHs256 = "A128CBC-HS256";

    /// <summary>AES-192-CBC with HMAC-SHA-384.</summary>
    public const string A192CbcHs384 = "A192CBC-HS384";

    /// <summary>AES-256-CBC with HMAC-SHA-512.</summary>
    public const string A256CbcHs512 = "A256CBC-HS512";

    /// <summary>The key management algorithms (<c>alg</c>) supported.</summary>
    public static readonly IReadOnlyList<string> KeyManagementAlgorithms = [RsaOaep];

    /// <summary>The content encryption algorithms (<c>enc</c>) supported.</summary>
    public static readonly IReadOnlyList<string> ContentEncryptionAlgorithms = [A128CbcHs256, A192CbcHs384, A256CbcHs512];

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Encrypts a signed SET for a receiver.</summary>
    /// <param name="signedSet">The compact JWS.</param>
    /// <param name="recipientKey">The receiver's RSA public key (a JWK or an RSA key).</param>
    /// <param name="contentEncryption">One of <see cref="ContentEncryptionAlgorithms"/>.</param>
    /// <returns>The compact JWE.</returns>
    /// <exception cref="ArgumentException">The algorithm or the key is not supported.</exception>
    public static string Encrypt(string signedSet, SecurityKey recipientKey, string contentEncryption = A128CbcHs256)
    {
        ArgumentNullException.ThrowIfNull(signedSet);
        ArgumentNullException.ThrowIfNull(recipientKey);
        if (!ContentEncryptionAlgorithms.Contains(contentEncryption))
        {
            throw new ArgumentException($"Content encryption {contentEncryption} is not supported; use one of {string.Join(", ", ContentEncryptionAlgorithms)}.", nameof(contentEncryption));
        }

        if (!IsRsa(recipientKey))
        {
            throw new ArgumentException("SETs are encrypted with RSA-OAEP: the recipient key must be an RSA key.", nameof(recipientKey));
        }

        return Handler.EncryptToken(signedSet, new EncryptingCredentials(recipientKey, RsaOaep, contentEncryption));
    }

    /// <summary>Whether <paramref name="keyManagement"/> (<c>alg</c>) with <paramref name="contentEncryption"/> (<c>enc</c>) is a supported pair.</summary>
    /// <param name="keyManagement">The JWE <c>alg</c>.</param>
    /// <param name="contentEncryption">The JWE <c>enc</c>.</param>
    /// <returns>Whether <see cref="Encrypt(string, JsonWebKey, string, string)"/> takes it.</returns>
    public static bool Supports(string keyManagement, string contentEncryption) =>
        KeyManagementAlgorithms.Contains(keyManagement) && ContentEncryptionAlgorithms.Contains(contentEncryption);

    /// <summary>Encrypts a signed SET for a receiver's JWK with the <c>alg</c> and <c>enc</c> given.</summary>
    /// <param name="signedSet">The compact JWS.</param>
    /// <param name="recipientKey">The receiver's public JWK.</param>
    /// <param name="keyManagement">One of <see cref="KeyManagementAlgorithms"/>.</param>
    /// <param name="contentEncryption">One of <see cref="ContentEncryptionAlgorithms"/>.</param>
    /// <returns>The compact JWE.</returns>
    /// <exception cref="ArgumentException">The pair or the key is not supported.</exception>
    public static string Encrypt(string signedSet, JsonWebKey recipientKey, string keyManagement, string contentEncryption) =>
        Supports(keyManagement, contentEncryption)
            ? Encrypt(signedSet, (SecurityKey)recipientKey, contentEncryption)
            : throw new ArgumentException($"JWE alg {keyManagement} with enc {contentEncryption} is not supported.", nameof(keyManagement));

    /// <summary>Decrypts a nested JWT with the first of <paramref name="keys"/> that opens it.</summary>
    /// <param name="token">The compact JWE.</param>
    /// <param name="keys">The receiver's private keys.</param>
    /// <returns>The content (the inner token), or null when no key decrypts it or its algorithms are not supported.</returns>
    public static string? TryDecrypt(string token, IEnumerable<SecurityKey> keys)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keys);
        try
        {
            var jwe = new JsonWebToken(token);
            return jwe.IsEncrypted && IsSupported(jwe) ? Decrypt(jwe, keys) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    internal static bool IsSupported(JsonWebToken jwe) =>
        KeyManagementAlgorithms.Contains(jwe.Alg) && ContentEncryptionAlgorithms.Contains(jwe.Enc);

    internal static string? Decrypt(JsonWebToken jwe, IEnumerable<SecurityKey> keys)
    {
        try
        {
            return Handler.DecryptToken(jwe, new TokenValidationParameters { TokenDecryptionKeys = keys.ToList() });
        }
        catch (Exception ex) when (ex is SecurityTokenException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static bool IsRsa(SecurityKey key) => key is RsaSecurityKey or X509SecurityKey
        || (key is JsonWebKey jwk && jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA);
}
