using System.Buffers;
using System.Buffers.Text;
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

    /// <summary>
    /// Checks the protected header of a compact JWS or JWE and, for a JWS, its JSON payload. Signatures
    /// are not looked at.
    /// </summary>
    /// <param name="token">The compact token.</param>
    /// <param name="reason">Why a <see cref="JoseVerdict.Refused"/> token is refused; null otherwise.</param>
    /// <returns>Whether the token may be parsed further.</returns>
    public static JoseVerdict Check(string token, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(token);
        reason = null;
        var span = token.AsSpan();
        var headerEnd = span.IndexOf('.');
        var segments = span.Count('.') + 1;
        if (headerEnd <= 0 || segments is not (3 or 5))
        {
            return JoseVerdict.Malformed;
        }

        var verdict = CheckSegment(span[..headerEnd], isHeader: true, out reason);
        if (verdict != JoseVerdict.Acceptable || segments == 5)
        {
            // A JWE's other segments are encrypted; its content is checked once decrypted.
            return verdict;
        }

        var rest = span[(headerEnd + 1)..];
        return CheckSegment(rest[..rest.IndexOf('.')], isHeader: false, out reason);
    }

    private static JoseVerdict CheckSegment(ReadOnlySpan<char> encoded, bool isHeader, out string? reason)
    {
        reason = null;
        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(encoded.Length));
        try
        {
            // TryDecodeFromChars answers false for a short buffer and throws for a character outside the alphabet.
            return Base64Url.TryDecodeFromChars(encoded, buffer, out var length)
                ? Scan(buffer.AsSpan(0, length), isHeader, out reason)
                : JoseVerdict.Malformed;
        }
        catch (FormatException)
        {
            return JoseVerdict.Malformed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads one JSON object with Utf8JsonReader, every level of it, keeping the member names of each
    /// open object. System.Text.Json's own duplicate check (JsonDocumentOptions.AllowDuplicateProperties)
    /// refuses without saying which member, and does not look at <c>crit</c>; what follows the object is
    /// left to the parsers, as before.
    /// </summary>
    private static JoseVerdict Scan(ReadOnlySpan<byte> json, bool isHeader, out string? reason)
    {
        reason = null;
        var reader = new Utf8JsonReader(json);
        var names = new List<HashSet<string>>();
        var paths = new List<string>();
        string? pending = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return JoseVerdict.Malformed;
            }

            names.Add(new HashSet<string>(StringComparer.Ordinal));
            paths.Add("");
            while (names.Count > 0 && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Add(new HashSet<string>(StringComparer.Ordinal));
                        paths.Add(Child(paths[^1], pending ?? "[]"));
                        pending = null;
                        break;
                    case JsonTokenType.StartArray:
                        paths.Add(Child(paths[^1], pending ?? "[]"));
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                        names.RemoveAt(names.Count - 1);
                        paths.RemoveAt(paths.Count - 1);
                        break;
                    case JsonTokenType.EndArray:
                        paths.RemoveAt(paths.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Name(ref reader);
                        if (!names[^1].Add(name))
                        {
                            var where = paths[^1].Length == 0 ? "" : $" in {paths[^1]}";
                            reason = $"The {(isHeader ? "JOSE header" : "claims set")} has more than one member named '{name}'{where}; duplicate member names are refused (RFC 7515 section 4, RFC 7519 section 4).";
                            return JoseVerdict.Refused;
                        }

                        if (isHeader && names.Count == 1 && HeaderParameter(name, ref reader) is { } refusal)
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

            return names.Count == 0 ? JoseVerdict.Acceptable : JoseVerdict.Malformed;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Broken JSON, or a string value (in crit) that is not text.
            return JoseVerdict.Malformed;
        }
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Name(ref Utf8JsonReader reader)
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
            // An escaped lone surrogate: compared as written; the claims reader refuses it on its own (LoneSurrogates).
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
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
