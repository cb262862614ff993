using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Sets;

/// <summary>Identifiers for new SETs, and the random identifiers the server gives streams.</summary>
public static class SetIds
{
    /// <summary>
    /// A new <c>jti</c>: 128 bits, base64url like <see cref="NewId"/>, of which the first 48 are the
    /// milliseconds since the Unix epoch and the other 80 random (about 2^40 identifiers a
    /// millisecond before two are likely to meet). RFC 8417 §2.2 asks only that a jti be unique; the
    /// time first means the jtis made one after the other share their first characters, so the
    /// store's unique jti indexes take each new one next to the last instead of on a random page
    /// of a large B-tree: a random key dirtied a page of each index for every event
    /// (docs/BENCHMARKS.md, "Where the CPU of one event goes"). The time it reveals is the
    /// SET's <c>iat</c>.
    /// </summary>
    /// <returns>The identifier.</returns>
    public static string NewJti()
    {
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        RandomNumberGenerator.Fill(bytes[6..]);

        // The first character is 'A' until the year 10889; the rule of NewId holds.
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// A new identifier: 128 random bits, base64url (RFC 3986 unreserved characters only). It never
    /// starts with <c>-</c>, so an operator can pass it to a command line (<c>ssf event get</c>) without
    /// it being read as an option (<c>-s…</c> would be the server option); that costs under 0.03 bits.
    /// </summary>
    /// <returns>The identifier.</returns>
    public static string NewId()
    {
        var bytes = new byte[16];
        RandomNumberGenerator.Fill(bytes);
        if (bytes[0] >> 2 == 62)
        {
            // 62 is '-' in the base64url alphabet (RFC 4648 §5); flipping the top bit makes it 'e'.
            bytes[0] ^= 0x80;
        }

        return Base64UrlEncoder.Encode(bytes);
    }
}
