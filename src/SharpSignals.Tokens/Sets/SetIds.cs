using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Sets;

/// <summary>Identifiers for new SETs, and the random identifiers the server gives streams.</summary>
public static class SetIds
{
    /// <summary>A new <c>jti</c>: see <see cref="NewId"/>.</summary>
    /// <returns>The identifier.</returns>
    public static string NewJti() => NewId();

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
