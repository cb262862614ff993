using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SharpSignals.Tokens.Validation;

/// <summary>What <see cref="StrictJose.Check"/> found.</summary>
public enum JoseVerdict
{
    /// <summary>Nothing the strict rules refuse; the token may go on to be parsed and verified.</summary>
    Acceptable,

    /// <summary>Not a compact JWS or JWE: a segment is not base64url, or its JSON cannot be read.</summary>
    Malformed,

    /// <summary>Well formed but refused: a <c>crit</c> or <c>b64</c> header parameter, or a member name given twice.</summary>
    Refused,
}

/// <summary>
/// The JOSE rules checked before a token reaches Microsoft.IdentityModel, which neither honours
/// <c>crit</c> nor refuses duplicate member names:
/// <list type="bullet">
/// <item>RFC 7515 §4.1.11 (RFC 7516 §4.1.13 for JWE): a recipient MUST reject a token whose <c>crit</c>
/// names an extension it does not understand, and this library understands none; a malformed
/// <c>crit</c> is refused as well. That covers <c>b64: false</c> (RFC 7797), an unencoded payload that
/// would be verified over other bytes than the ones read.</item>
/// <item>RFC 7515 §4 and RFC 7519 §4 (which let a parser refuse it): a member name given twice, in the
/// header or at any level of the claims set, is refused rather than resolved, so that no two parsers
/// along a forwarding path read different values (a second <c>aud</c>, for one).</item>
/// </list>
/// </summary>
public static class StrictJose
{
    /// <summary>The header parameters RFC 7515 §4.1 and RFC 7516 §4.1 (and RFC 7518 §4 and §5) define, which <c>crit</c> must not list.</summary>
    private static readonly HashSet<string> Registered = new(StringComparer.Ordinal)
    {
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
        "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
    };

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>
    /// Checks the protected header of a compact JWS or JWE and, for a JWS, its JSON payload. Signatures
    /// are not looked at.
    /// </summary>
    /// <param name="token">The compact token.</param>
    /// <param name="reason">Why a <see cref="JoseVerdict.Refused"/> token is refused; null otherwise.</param>
    /// <returns>Whether the token may be parsed further.</returns>
    public static JoseVerdict Check(string token, out string? reason)
    {
        var verdict = Read(token, out var parts, out reason);
        parts?.Dispose();
        return verdict;
    }

    /// <summary>
    /// <see cref="Check"/>, keeping what it read: for an acceptable JWS, its header parameters and its
    /// decoded claims set, so that nothing decodes or parses the token again (a JWE gives no parts).
    /// Refuses as <see cref="JoseVerdict.Malformed"/> everything Microsoft.IdentityModel's JsonWebToken
    /// refused when it read the token: a segment outside the base64url alphabet (RFC 7515 §2, no padding
    /// or white space), and a registered header parameter or claim of the wrong JSON type.
    /// </summary>
    /// <param name="token">The compact token.</param>
    /// <param name="parts">For an acceptable JWS, what was read; the caller disposes of it.</param>
    /// <param name="reason">Why a <see cref="JoseVerdict.Refused"/> token is refused; null otherwise.</param>
    /// <returns>Whether the token may be parsed further.</returns>
    internal static JoseVerdict Read(string token, out JwsParts? parts, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(token);
        reason = null;
        parts = null;
        var span = token.AsSpan();
        var headerEnd = span.IndexOf('.');
        var segments = span.Count('.') + 1;
        if (headerEnd <= 0 || segments is not (3 or 5))
        {
            return JoseVerdict.Malformed;
        }

        var header = new HeaderFields();
        var buffer = Decode(span[..headerEnd], out var length);
        JoseVerdict verdict;
        try
        {
            verdict = buffer is null ? JoseVerdict.Malformed : Scan(buffer.AsSpan(0, length), ref header, out reason);
        }
        finally
        {
            Return(buffer);
        }

        if (verdict != JoseVerdict.Acceptable || segments == 5)
        {
            // A JWE's other segments are encrypted; its content is checked once decrypted.
            return verdict;
        }

        var rest = span[(headerEnd + 1)..];
        var payload = Decode(rest[..rest.IndexOf('.')], out length);
        if (payload is null)
        {
            return JoseVerdict.Malformed;
        }

        var noHeader = new HeaderFields { IsPayload = true };
        verdict = Scan(payload.AsSpan(0, length), ref noHeader, out reason);
        if (verdict != JoseVerdict.Acceptable)
        {
            Return(payload);
            return verdict;
        }

        parts = new JwsParts(header.Alg, header.Kid, header.Typ, payload, length, token.AsMemory(token.LastIndexOf('.') + 1));
        return JoseVerdict.Acceptable;
    }

    /// <summary>Whether every character is of the base64url alphabet, without padding (RFC 7515 §2).</summary>
    internal static bool IsBase64Url(ReadOnlySpan<char> encoded) => !encoded.ContainsAnyExcept(Base64UrlAlphabet);

    /// <summary>A segment decoded into a pooled buffer, or null when it is not base64url.</summary>
    private static byte[]? Decode(ReadOnlySpan<char> encoded, out int length)
    {
        length = 0;

        // Base64Url's decoder steps over white space and takes padding; the compact serialization has neither (RFC 7515 §2, §7.1).
        if (!IsBase64Url(encoded))
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(encoded.Length));
        try
        {
            if (Base64Url.TryDecodeFromChars(encoded, buffer, out length))
            {
                return buffer;
            }
        }
        catch (FormatException)
        {
            // A length no base64url text has (one character past a multiple of four).
        }

        ArrayPool<byte>.Shared.Return(buffer);
        return null;
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads one JSON object with Utf8JsonReader, every level of it, keeping the member names of each
    /// open object. System.Text.Json's own duplicate check (JsonDocumentOptions.AllowDuplicateProperties)
    /// refuses without saying which member, and does not look at <c>crit</c>. What follows a claims set
    /// is left to the claims reader; after a header only white space may (as JsonWebToken read it).
    /// </summary>
    private static JoseVerdict Scan(ReadOnlySpan<byte> json, ref HeaderFields fields, out string? reason)
    {
        reason = null;
        var isHeader = !fields.IsPayload;
        var reader = new Utf8JsonReader(json);

        // The names of each open object, and the member that opened each open object or array (null for an array's element), for saying where a duplicate is.
        var names = new List<HashSet<string>>();
        var openedBy = new List<string?>();
        string? pending = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return JoseVerdict.Malformed;
            }

            names.Add(new HashSet<string>(StringComparer.Ordinal));
            openedBy.Add(null);
            while (names.Count > 0 && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Add(new HashSet<string>(StringComparer.Ordinal));
                        openedBy.Add(pending);
                        pending = null;
                        break;
                    case JsonTokenType.StartArray:
                        openedBy.Add(pending);
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                        names.RemoveAt(names.Count - 1);
                        openedBy.RemoveAt(openedBy.Count - 1);
                        break;
                    case JsonTokenType.EndArray:
                        openedBy.RemoveAt(openedBy.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var topLevel = names.Count == 1 && openedBy.Count == 1;
                        if (Name(ref reader, strict: topLevel) is not { } name)
                        {
                            return JoseVerdict.Malformed;
                        }

                        if (!names[^1].Add(name))
                        {
                            var path = Path(openedBy);
                            var where = path.Length == 0 ? "" : $" in {path}";
                            reason = $"The {(isHeader ? "JOSE header" : "claims set")} has more than one member named '{name}'{where}; duplicate member names are refused (RFC 7515 section 4, RFC 7519 section 4).";
                            return JoseVerdict.Refused;
                        }

                        if (topLevel && !RegisteredMember(name, reader, ref fields))
                        {
                            return JoseVerdict.Malformed;
                        }

                        if (isHeader && topLevel && HeaderParameter(name, ref reader) is { } refusal)
                        {
                            reason = refusal;
                            return JoseVerdict.Refused;
                        }

                        pending = name;
                        break;
                    default:
                        pending = null;
                        break;
                }
            }

            if (names.Count > 0)
            {
                return JoseVerdict.Malformed;
            }

            // JsonWebToken read one token past a header's end, so anything but white space after it was refused.
            return isHeader && reader.Read() ? JoseVerdict.Malformed : JoseVerdict.Acceptable;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Broken JSON, or a string value (in crit) that is not text.
            return JoseVerdict.Malformed;
        }
    }

    /// <summary>Where a duplicate was found: the members that opened each enclosing object or array, "[]" for an array's element.</summary>
    private static string Path(List<string?> openedBy) =>
        string.Join('.', openedBy.Skip(1).Select(name => name ?? "[]"));

    /// <summary>
    /// A member name, unescaped. An escaped lone surrogate is compared as written (the claims reader
    /// refuses it on its own, LoneSurrogates), except at the top level, where JsonWebToken refused it:
    /// null there.
    /// </summary>
    private static string? Name(ref Utf8JsonReader reader, bool strict)
    {
        if (!reader.ValueIsEscaped)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return strict ? null : Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>
    /// Whether a top-level member's value has the JSON type its name is registered with, as
    /// Microsoft.IdentityModel's JsonWebToken required when it read the token (RFC 7515 §4.1, RFC 7519
    /// §4.1), keeping <c>alg</c>, <c>kid</c> and <c>typ</c> of a header. Looks ahead on a copy of the
    /// reader, which goes on to scan the value itself.
    /// </summary>
    private static bool RegisteredMember(string name, Utf8JsonReader reader, ref HeaderFields fields)
    {
        if (!reader.Read())
        {
            return false;
        }

        var type = reader.TokenType;
        if (type == JsonTokenType.String && reader.ValueIsEscaped && !Readable(ref reader))
        {
            // JsonWebToken read every top-level string as text, and an escaped lone surrogate is not.
            return false;
        }

        if (!fields.IsPayload)
        {
            switch (name)
            {
                case "alg" or "kid" or "typ" or "cty" or "x5t" or "zip" when type is not (JsonTokenType.String or JsonTokenType.Null):
                    return false;
                case "alg":
                    fields.Alg = reader.GetString();
                    return true;
                case "kid":
                    fields.Kid = reader.GetString();
                    return true;
                case "typ":
                    fields.Typ = reader.GetString();
                    return true;
                default:
                    return true;
            }
        }

        return name switch
        {
            "iss" or "jti" or "azp" => type is JsonTokenType.String or JsonTokenType.Null,
            "sub" => type is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null,
            "exp" or "iat" or "nbf" => IsNumericDate(ref reader),
            "aud" => type is JsonTokenType.String or JsonTokenType.Null || (type == JsonTokenType.StartArray && AreStrings(reader)),
            _ => true,
        };
    }

    private static bool Readable(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A number, or a string holding one, that fits a 64-bit seconds count (what JsonWebToken took).</summary>
    private static bool IsNumericDate(ref Utf8JsonReader reader)
    {
        const double Limit = 9.2e18;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt64(out _) || (reader.TryGetDouble(out var number) && Math.Abs(number) < Limit),
            JsonTokenType.String => reader.GetString() is { } text
                && (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                    || (double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed) && Math.Abs(parsed) < Limit)),
            _ => false,
        };
    }

    /// <summary>An array of strings (nulls among them allowed), the reader at its start.</summary>
    private static bool AreStrings(Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null) || (reader.ValueIsEscaped && !Readable(ref reader)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What a header scan keeps; for a claims set, only that it is one.</summary>
    private struct HeaderFields
    {
        public bool IsPayload;
        public string? Alg;
        public string? Kid;
        public string? Typ;
    }

    /// <summary>Why a top-level header parameter refuses the token, reading its value when it needs to; null when it does not.</summary>
    private static string? HeaderParameter(string name, ref Utf8JsonReader reader)
    {
        switch (name)
        {
            case "crit":
                reader.Read();
                return Crit(ref reader);
            case "b64":
                reader.Read();
                if (reader.TokenType == JsonTokenType.True)
                {
                    // RFC 7797 §3: b64 true is the ordinary base64url payload.
                    return null;
                }

                return "The JOSE header has b64 other than true: an unencoded payload (RFC 7797) is not accepted.";
            default:
                return null;
        }
    }

    private static string Crit(ref Utf8JsonReader reader)
    {
        const string Rule = "crit must be a non-empty array of the names of extension header parameters that the token carries (RFC 7515 section 4.1.11)";
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return $"The JOSE header's crit is not an array; {Rule}.";
        }

        var listed = new List<string>();
        var notStrings = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                listed.Add(reader.GetString()!);
            }
            else
            {
                notStrings = true;
                reader.Skip();
            }
        }

        if (notStrings || listed.Count == 0)
        {
            return $"The JOSE header's crit {(listed.Count == 0 && !notStrings ? "is empty" : "holds a member that is not a string")}; {Rule}.";
        }

        if (listed.FirstOrDefault(Registered.Contains) is { } registered)
        {
            return $"The JOSE header's crit lists '{registered}', which RFC 7515 and RFC 7516 define themselves; {Rule}.";
        }

        if (listed.Contains("b64", StringComparer.Ordinal))
        {
            return "The JOSE header marks b64 critical: an unencoded payload (RFC 7797) is not accepted.";
        }

        return $"The JOSE header marks {string.Join(", ", listed.Select(n => $"'{n}'"))} critical (crit), and no JOSE header extension is understood here (RFC 7515 section 4.1.11).";
    }
}
