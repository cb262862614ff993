using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Sets;

/// <summary>Identifiers for new SETs.</summary>
public static class SetIds
{
    /// <summary>A new <c>jti</c>: 128 random bits, base64url (RFC 3986 unreserved characters only).</summary>
    /// <returns>The identifier.</returns>
    public static string NewJti()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64UrlEncoder.Encode(bytes.ToArray());
    }
}
