using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Jose;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Encryption;

/// <summary>
/// Encrypts a signed SET for one receiver's public key as a nested JWT (RFC 7519 §5.2 and §11.2: a
/// compact JWE whose content is the JWS, with <c>cty: JWT</c>), and decrypts such tokens.
/// </summary>
/// <remarks>
/// <para>Key management: <c>RSA-OAEP</c>, <c>RSA-OAEP-256</c> (RSA keys of 2048 bits or more),
/// <c>ECDH-ES</c> and <c>ECDH-ES+A256KW</c> (EC keys on P-256, P-384 or P-521). Content encryption:
/// <c>A128CBC-HS256</c>, <c>A192CBC-HS384</c>, <c>A256CBC-HS512</c>, <c>A128GCM</c>, <c>A256GCM</c>.
/// Every pair works both ways.</para>
/// <para>Refused on decryption, before any key is used: <c>RSA1_5</c> (padding oracles), <c>PBES2-*</c>
/// (password-based, and its attacker-chosen iteration count), <c>dir</c>, any other algorithm, a
/// <c>zip</c> or <c>crit</c> header member, a malformed compact serialisation, and an ECDH-ES ephemeral
/// key that is not a point on its curve.</para>
/// </remarks>
public static class SetEncryption
{
    /// <summary>RSAES OAEP with SHA-1 and MGF1 (RFC 7518 §4.3).</summary>
    public const string RsaOaep = "RSA-OAEP";

    /// <summary>RSAES OAEP with SHA-256 and MGF1 with SHA-256 (RFC 7518 §4.3).</summary>
    public const string RsaOaep256 = "RSA-OAEP-256";

    /// <summary>ECDH-ES direct key agreement with Concat KDF (RFC 7518 §4.6).</summary>
    public const string EcdhEs = "ECDH-ES";

    /// <summary>ECDH-ES with the agreed key wrapping a content key in AES-256 Key Wrap (RFC 7518 §4.6).</summary>
    public const string EcdhEsA256Kw = "ECDH-ES+A256KW";

    /// <summary>AES-128-CBC with HMAC-SHA-256; the default content encryption.</summary>
    public const string A128CbcHs256 = "A128CBC-HS256";

    /// <summary>AES-192-CBC with HMAC-SHA-384.</summary>
    public const string A192CbcHs384 = "A192CBC-HS384";

    /// <summary>AES-256-CBC with HMAC-SHA-512.</summary>
    public const string A256CbcHs512 = "A256CBC-HS512";

    /// <summary>AES-128 in Galois/Counter Mode (RFC 7518 §5.3).</summary>
    public const string A128Gcm = "A128GCM";

    /// <summary>AES-256 in Galois/Counter Mode (RFC 7518 §5.3).</summary>
    public const string A256Gcm = "A256GCM";

    /// <summary>The key management algorithms (<c>alg</c>) supported, both ways.</summary>
    public static readonly IReadOnlyList<string> KeyManagementAlgorithms = [RsaOaep, RsaOaep256, EcdhEs, EcdhEsA256Kw];

    /// <summary>The content encryption algorithms (<c>enc</c>) supported, both ways.</summary>
    public static readonly IReadOnlyList<string> ContentEncryptionAlgorithms = [A128CbcHs256, A192CbcHs384, A256CbcHs512, A128Gcm, A256Gcm];

    /// <summary>The smallest RSA key used or accepted (RFC 7518 §4.3 requires 2048 bits or more).</summary>
    private const int MinimumRsaKeySize = 2048;

    /// <summary>RFC 7519 §5.2: the content of a nested JWT is a JWT.</summary>
    private static readonly Dictionary<string, object> NestedJwtHeader = new() { ["cty"] = "JWT" };

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Whether both algorithms are supported, as a pair.</summary>
    /// <param name="alg">A key management algorithm.</param>
    /// <param name="enc">A content encryption algorithm.</param>
    /// <returns>Whether <see cref="Encrypt(string, JsonWebKey, string, string)"/> and decryption take this pair.</returns>
    public static bool Supports(string alg, string enc) => KeyManagementAlgorithms.Contains(alg) && ContentEncryptionAlgorithms.Contains(enc);

    /// <summary>Encrypts a signed SET for a receiver with RSA-OAEP.</summary>
    /// <param name="signedSet">The compact JWS.</param>
    /// <param name="recipientKey">The receiver's RSA public key (a JWK or an RSA key).</param>
    /// <param name="contentEncryption">One of <see cref="ContentEncryptionAlgorithms"/>.</param>
    /// <returns>The compact JWE.</returns>
    /// <exception cref="ArgumentException">The algorithm or the key is not supported.</exception>
    public static string Encrypt(string signedSet, SecurityKey recipientKey, string contentEncryption = A128CbcHs256) =>
        Encrypt(signedSet, recipientKey, RsaOaep, contentEncryption);

    /// <summary>Encrypts a signed SET for a receiver's public JWK.</summary>
    /// <param name="signedSet">The compact JWS.</param>
    /// <param name="recipientKey">The receiver's public key, <c>kty</c> RSA or EC; its <c>kid</c> is copied into the header.</param>
    /// <param name="keyManagement">One of <see cref="KeyManagementAlgorithms"/>.</param>
    /// <param name="contentEncryption">One of <see cref="ContentEncryptionAlgorithms"/>.</param>
    /// <returns>The compact JWE, with <c>cty: JWT</c>.</returns>
    /// <exception cref="ArgumentException">The algorithms, or the key for them, are not supported; or the key is not for encryption.</exception>
    public static string Encrypt(string signedSet, JsonWebKey recipientKey, string keyManagement, string contentEncryption)
    {
        ArgumentNullException.ThrowIfNull(recipientKey);

        // RFC 7517 §4.2 and §4.4: a key marked for another use or another algorithm is not used for this one.
        if (!string.IsNullOrEmpty(recipientKey.Use) && recipientKey.Use != JsonWebKeyUseNames.Enc)
        {
            throw new ArgumentException($"The recipient key has use '{recipientKey.Use}'; encryption needs a key with use 'enc' or none.", nameof(recipientKey));
        }

        if (!string.IsNullOrEmpty(recipientKey.Alg) && recipientKey.Alg != keyManagement)
        {
            throw new ArgumentException($"The recipient key is for alg {recipientKey.Alg}, not {keyManagement}.", nameof(recipientKey));
        }

        return Encrypt(signedSet, (SecurityKey)recipientKey, keyManagement, contentEncryption);
    }

    /// <summary>Encrypts a signed SET for a receiver's public key.</summary>
    /// <param name="signedSet">The compact JWS.</param>
    /// <param name="recipientKey">An RSA key for the RSA algorithms, an EC key (P-256, P-384, P-521) for ECDH-ES.</param>
    /// <param name="keyManagement">One of <see cref="KeyManagementAlgorithms"/>.</param>
    /// <param name="contentEncryption">One of <see cref="ContentEncryptionAlgorithms"/>.</param>
    /// <returns>The compact JWE, with <c>cty: JWT</c>.</returns>
    /// <exception cref="ArgumentException">The algorithms, or the key for them, are not supported.</exception>
    public static string Encrypt(string signedSet, SecurityKey recipientKey, string keyManagement, string contentEncryption)
    {
        ArgumentNullException.ThrowIfNull(signedSet);
        ArgumentNullException.ThrowIfNull(recipientKey);
        if (!KeyManagementAlgorithms.Contains(keyManagement))
        {
            throw new ArgumentException($"Key management {keyManagement} is not supported; use one of {string.Join(", ", KeyManagementAlgorithms)}.", nameof(keyManagement));
        }

        if (!ContentEncryptionAlgorithms.Contains(contentEncryption))
        {
            throw new ArgumentException($"Content encryption {contentEncryption} is not supported; use one of {string.Join(", ", ContentEncryptionAlgorithms)}.", nameof(contentEncryption));
        }

        if (UsesIdentityModel(keyManagement, contentEncryption))
        {
            _ = RecipientRsa(recipientKey, keyManagement);
            return Handler.EncryptToken(signedSet, new EncryptingCredentials(recipientKey, keyManagement, contentEncryption));
        }

        object key = IsAgreement(keyManagement) ? RecipientEc(recipientKey) : RecipientRsa(recipientKey, keyManagement);
        var header = string.IsNullOrEmpty(recipientKey.KeyId)
            ? NestedJwtHeader
            : new Dictionary<string, object> { ["cty"] = "JWT", ["kid"] = recipientKey.KeyId };
        try
        {
            return JWT.Encode(signedSet, key, keyManagement, contentEncryption, extraHeaders: header);
        }
        catch (Exception ex) when (ex is JoseException or CryptographicException)
        {
            throw new ArgumentException($"The SET could not be encrypted with {keyManagement} and {contentEncryption} for this key: {ex.Message}", nameof(recipientKey), ex);
        }
    }

    /// <summary>Decrypts a nested JWT with the first of <paramref name="keys"/> that opens it.</summary>
    /// <param name="token">The compact JWE.</param>
    /// <param name="keys">The receiver's private keys (RSA or EC).</param>
    /// <returns>The content (the inner token), or null when no key decrypts it or it is refused.</returns>
    public static string? TryDecrypt(string token, IEnumerable<SecurityKey> keys)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keys);
        return StrictJose.Check(token, out _) == JoseVerdict.Acceptable && Decrypt(token, [.. keys], out var content, out _)
            ? content
            : null;
    }

    /// <summary>
    /// Decrypts a compact JWE after the header checks; never throws for hostile input. The caller has
    /// applied <see cref="StrictJose"/> (crit, duplicate members).
    /// </summary>
    /// <param name="token">The compact JWE.</param>
    /// <param name="keys">The receiver's private keys.</param>
    /// <param name="content">The plaintext, when decrypted.</param>
    /// <param name="refusal">Why not, otherwise.</param>
    /// <returns>Whether it was decrypted.</returns>
    internal static bool Decrypt(string token, IReadOnlyList<SecurityKey> keys, [NotNullWhen(true)] out string? content, out JweRefusal refusal)
    {
        content = null;
        if (!JweHeader.TryRead(token, out var header, out refusal))
        {
            return false;
        }

        var candidates = Candidates(header, keys);
        if (candidates.Count == 0)
        {
            refusal = JweRefusal.BadKey(IsAgreement(header.Alg)
                ? $"This receiver has no EC private key on the curve of the JWE's epk for {header.Alg}."
                : $"This receiver has no RSA private key of {MinimumRsaKeySize} bits or more for {header.Alg}.");
            return false;
        }

        content = UsesIdentityModel(header.Alg, header.Enc)
            ? DecryptWithIdentityModel(token, candidates)
            : DecryptWithJoseJwt(token, header, candidates);
        refusal = content is null ? JweRefusal.BadKey("The SET could not be decrypted with this receiver's keys.") : default;
        return content is not null;
    }

    /// <summary>
    /// Microsoft.IdentityModel 8 does RSA-OAEP with the AES-CBC-HMAC encryptions both ways, and this
    /// library used it for them before jose-jwt came; it cannot do RSA-OAEP-256, ECDH-ES or AES-GCM
    /// encryption, which jose-jwt does. Same bytes on the wire either way; the interop tests hold both.
    /// </summary>
    private static bool UsesIdentityModel(string alg, string enc) => alg == RsaOaep && enc is A128CbcHs256 or A192CbcHs384 or A256CbcHs512;

    private static bool IsAgreement(string alg) => alg is EcdhEs or EcdhEsA256Kw;

    /// <summary>The receiver's keys that fit the header, those with its <c>kid</c> first.</summary>
    private static List<SecurityKey> Candidates(JweHeader header, IReadOnlyList<SecurityKey> keys)
    {
        var fitting = new List<SecurityKey>(keys.Count);
        foreach (var key in keys)
        {
            var fits = header.EphemeralKey is { } epk
                ? JoseKeys.Ec(key) is { } ec && ec.KeySize == CurveBits(epk)
                : JoseKeys.Rsa(key) is { KeySize: >= MinimumRsaKeySize };
            if (fits && JoseKeys.HasPrivateKey(key))
            {
                fitting.Insert(header.Kid is not null && key.KeyId == header.Kid ? 0 : fitting.Count, key);
            }
        }

        return fitting;
    }

    /// <summary>The curve's size in bits, from the coordinate length JweHeader checked (P-256, P-384, P-521).</summary>
    private static int CurveBits(ECParameters epk) => epk.Q.X!.Length switch
    {
        32 => 256,
        48 => 384,
        _ => 521,
    };

    private static string? DecryptWithIdentityModel(string token, List<SecurityKey> keys)
    {
        try
        {
            return Handler.DecryptToken(new JsonWebToken(token), new TokenValidationParameters { TokenDecryptionKeys = keys });
        }
        catch (Exception ex) when (ex is SecurityTokenException or ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    private static string? DecryptWithJoseJwt(string token, JweHeader header, List<SecurityKey> keys)
    {
        foreach (var key in keys)
        {
            object? platformKey = header.EphemeralKey is null ? JoseKeys.Rsa(key) : JoseKeys.Ec(key);
            try
            {
                // The expected alg and enc are passed so that jose-jwt refuses any other header it might read.
                return JWE.Decrypt(token, platformKey, header.Alg, header.Enc).Plaintext;
            }
            catch (Exception ex) when (ex is JoseException or CryptographicException or ArgumentException
                or InvalidCastException or FormatException or InvalidOperationException or IndexOutOfRangeException)
            {
                // A wrong key fails its authentication tag or unwrap; the next key is tried.
            }
        }

        return null;
    }

    private static RSA RecipientRsa(SecurityKey key, string alg) => JoseKeys.Rsa(key) switch
    {
        { KeySize: >= MinimumRsaKeySize } rsa => rsa,
        { } small => throw new ArgumentException($"{alg} needs an RSA key of at least {MinimumRsaKeySize} bits; this one has {small.KeySize}.", nameof(key)),
        null => throw new ArgumentException($"{alg} needs an RSA recipient key.", nameof(key)),
    };

    private static ECDiffieHellman RecipientEc(SecurityKey key) =>
        JoseKeys.Ec(key) ?? throw new ArgumentException("ECDH-ES needs an EC recipient key on P-256, P-384 or P-521.", nameof(key));
}
