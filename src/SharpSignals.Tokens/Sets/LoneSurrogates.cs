namespace SharpSignals.Tokens.Sets;

/// <summary>
/// Finds <c>\uD800</c>-<c>\uDFFF</c> escapes that are not half of a pair in JSON text. RFC 8259 §8.2
/// leaves such strings unpredictable and I-JSON (RFC 7493 §2.1) forbids them; System.Text.Json throws
/// on reading or writing one, so a SET carrying one anywhere (even in a member nothing reads, or in an
/// unknown event that would be written back on forwarding) is refused before it is read.
/// </summary>
public static class LoneSurrogates
{
    /// <summary>Whether the UTF-8 JSON text holds a lone surrogate escape. Raw UTF-8 cannot encode one, so only escapes are looked at.</summary>
    public static bool Contain(ReadOnlySpan<byte> json)
    {
        var i = json.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < json.Length)
        {
            if (json[i + 1] != (byte)'u')
            {
                // A two-character escape (\\, \", \n, ...): its second character never starts another.
                i = Next(json, i + 2);
                continue;
            }

            if (!TryHex(json, i + 2, out var unit))
            {
                // Not a \uXXXX escape: the JSON reader refuses it on its own.
                i = Next(json, i + 2);
                continue;
            }

            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var low = i + 6;
                if (low + 1 >= json.Length || json[low] != (byte)'\\' || json[low + 1] != (byte)'u'
                    || !TryHex(json, low + 2, out var second) || second is < 0xDC00 or > 0xDFFF)
                {
                    return true;
                }

                i = Next(json, low + 6);
                continue;
            }

            i = Next(json, i + 6);
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length)
        {
            return -1;
        }

        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    private static bool TryHex(ReadOnlySpan<byte> json, int start, out int value)
    {
        value = 0;
        if (start + 4 > json.Length)
        {
            return false;
        }

        for (var k = start; k < start + 4; k++)
        {
            var digit = HexDigit(json[k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
