using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace SharpSignals.Tokens.Encryption;

/// <summary>What a compact JWE's protected header says, read and checked before any key is used.</summary>
/// <param name="Alg">The key management algorithm.</param>
/// <param name="Enc">The content encryption algorithm.</param>
/// <param name="Kid">The recipient key's id, if given.</param>
/// <param name="EphemeralKey">For ECDH-ES: the sender's ephemeral public key, already checked to lie on its curve.</param>
internal sealed record JweHeader(string Alg, string Enc, string? Kid, ECParameters? EphemeralKey)
{
    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>
    /// Reads the header of a compact JWE (RFC 7516 §7.1) and refuses what this library never decrypts.
    /// Crypto stays with the JOSE libraries; this only decides whether they are called at all.
    /// </summary>
    /// <param name="token">The compact JWE.</param>
    /// <param name="header">The header, when acceptable.</param>
    /// <param name="refusal">Why not, with the RFC 8935 error code to answer.</param>
    /// <returns>Whether the token may be decrypted.</returns>
    public static bool TryRead(string token, out JweHeader header, out JweRefusal refusal)
    {
        header = null!;
        refusal = default;
        var span = token.AsSpan();
        Span<Range> segments = stackalloc Range[6];
        if (span.Split(segments, '.') != 5)
        {
            refusal = JweRefusal.Malformed("The JWE is not five base64url segments (RFC 7516 section 7.1).");
            return false;
        }

        foreach (var segment in segments[..5])
        {
            // Base64Url.IsValid lets whitespace through; the compact serialisation has none (RFC 7515 section 2).
            if (span[segment].ContainsAnyExcept(Base64UrlAlphabet) || !Base64Url.IsValid(span[segment]))
            {
                refusal = JweRefusal.Malformed("A segment of the JWE is not base64url (RFC 7516 section 7.1).");
                return false;
            }
        }

        if (span[segments[0]].IsEmpty || span[segments[2]].IsEmpty || span[segments[3]].IsEmpty || span[segments[4]].IsEmpty)
        {
            refusal = JweRefusal.Malformed("The JWE lacks its protected header, IV, ciphertext or tag (RFC 7516 section 7.1).");
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(span[segments[0]]));
            return TryRead(json.RootElement, hasEncryptedKey: !span[segments[1]].IsEmpty, out header, out refusal);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            // InvalidOperationException: a string member that is not valid UTF-8, found when it is read.
            refusal = JweRefusal.Malformed("The JWE protected header is not a JSON object.");
            return false;
        }
    }

    private static bool TryRead(JsonElement root, bool hasEncryptedKey, out JweHeader header, out JweRefusal refusal)
    {
        header = null!;
        if (root.ValueKind != JsonValueKind.Object)
        {
            refusal = JweRefusal.Malformed("The JWE protected header is not a JSON object.");
            return false;
        }

        if (String(root, "alg") is not { } alg || String(root, "enc") is not { } enc)
        {
            refusal = JweRefusal.Malformed("The JWE protected header needs alg and enc as strings (RFC 7516 section 4.1).");
            return false;
        }

        // Compression before encryption leaks the plaintext's length pattern and invites decompression bombs;
        // SETs are small, so no zip (RFC 7516 section 4.1.3) is accepted.
        if (root.TryGetProperty("zip", out _))
        {
            refusal = JweRefusal.Malformed("The JWE header has zip: compressed JWEs are not accepted.");
            return false;
        }

        // Normally caught earlier by StrictJose, which refuses every crit; kept here so that no caller can skip it.
        if (root.TryGetProperty("crit", out _))
        {
            refusal = JweRefusal.Malformed("The JWE header has crit, and no JOSE header extension is understood here (RFC 7516 section 4.1.13).");
            return false;
        }

        if (!SetEncryption.KeyManagementAlgorithms.Contains(alg) || !SetEncryption.ContentEncryptionAlgorithms.Contains(enc))
        {
            refusal = JweRefusal.Unsupported(alg, enc);
            return false;
        }

        var kid = String(root, "kid");
        if (!IsAgreement(alg))
        {
            header = new JweHeader(alg, enc, kid, null);
            refusal = default;
            return true;
        }

        // RFC 7518 section 4.6: Direct Key Agreement leaves the encrypted key empty.
        if (alg == SetEncryption.EcdhEs && hasEncryptedKey)
        {
            refusal = JweRefusal.Malformed("A JWE with alg ECDH-ES must have an empty encrypted key (RFC 7518 section 4.6).");
            return false;
        }

        foreach (var party in (ReadOnlySpan<string>)["apu", "apv"])
        {
            if (root.TryGetProperty(party, out var value)
                && (value.ValueKind != JsonValueKind.String || value.GetString().AsSpan().ContainsAnyExcept(Base64UrlAlphabet) || !Base64Url.IsValid(value.GetString())))
            {
                refusal = JweRefusal.Malformed($"The JWE header's {party} must be a base64url string (RFC 7518 section 4.6.1).");
                return false;
            }
        }

        if (!TryReadEphemeralKey(root, out var epk, out refusal))
        {
            return false;
        }

        header = new JweHeader(alg, enc, kid, epk);
        return true;
    }

    /// <summary>
    /// RFC 7518 section 4.6.1.1: the sender's ephemeral key. A point off the named curve (the invalid-curve
    /// attack, which can recover the recipient's private key one small subgroup at a time) is refused: the
    /// platform's key import checks that the point lies on the curve, and the coordinates must have the
    /// curve's exact length.
    /// </summary>
    private static bool TryReadEphemeralKey(JsonElement root, out ECParameters epk, out JweRefusal refusal)
    {
        epk = default;
        refusal = default;
        if (!root.TryGetProperty("epk", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            refusal = JweRefusal.Malformed("An ECDH-ES JWE needs its ephemeral public key (epk) as a JSON object (RFC 7518 section 4.6.1.1).");
            return false;
        }

        if (String(element, "kty") != "EC" || String(element, "crv") is not { } crv || String(element, "x") is not { } x || String(element, "y") is not { } y
            || element.TryGetProperty("d", out _))
        {
            refusal = JweRefusal.Malformed("The JWE's epk must be an EC public key with kty, crv, x and y (RFC 7518 section 4.6.1.1).");
            return false;
        }

        if (!JoseKeys.TryCurve(crv, out var curve, out var size))
        {
            refusal = JweRefusal.BadKey($"The JWE's epk is on curve {crv}; ECDH-ES is accepted on P-256, P-384 and P-521.");
            return false;
        }

        try
        {
            epk = new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
            };
            if (epk.Q.X!.Length != size || epk.Q.Y!.Length != size)
            {
                refusal = JweRefusal.BadKey($"The JWE's epk coordinates are not {size} bytes long, as {crv} needs.");
                return false;
            }

            using var imported = ECDiffieHellman.Create(epk);
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            refusal = JweRefusal.BadKey($"The JWE's epk is not a point on {crv}; it is refused (invalid-curve attack).");
            return false;
        }
    }

    private static bool IsAgreement(string alg) => alg is SetEncryption.EcdhEs or SetEncryption.EcdhEsA256Kw;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Why a JWE is not decrypted, and the RFC 8935 §2.4 error code that says so.</summary>
/// <param name="Code">The error code.</param>
/// <param name="Description">The reason, for the error description.</param>
internal readonly record struct JweRefusal(string Code, string Description)
{
    /// <summary>Not a compact JWE this library reads, or a header member it refuses (zip, crit).</summary>
    public static JweRefusal Malformed(string description) => new(Sets.SetErrorCodes.InvalidRequest, description);

    /// <summary>
    /// An algorithm outside the supported lists: RSA1_5 (padding oracles), PBES2 (password-based, and its
    /// iteration count is an attacker-chosen cost), dir (a shared key), anything unknown.
    /// </summary>
    public static JweRefusal Unsupported(string alg, string enc) => new(Sets.SetErrorCodes.InvalidKey,
        $"JWE alg {alg} with enc {enc} is not accepted; use one of {string.Join(", ", SetEncryption.KeyManagementAlgorithms)} with one of {string.Join(", ", SetEncryption.ContentEncryptionAlgorithms)}.");

    /// <summary>A key in the JWE, or the recipient's, is unacceptable, or none decrypts it.</summary>
    public static JweRefusal BadKey(string description) => new(Sets.SetErrorCodes.InvalidKey, description);
}
