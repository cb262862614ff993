using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Tokens and secrets are 256 random bits, so a plain SHA-256 of them is safe to store: there is no
/// low-entropy password to brute-force, and a lookup by hash needs no per-row salt.
/// </summary>
internal static class TokenHashing
{
    public static string NewToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Compares two hashes in constant time.</summary>
    public static bool Matches(string token, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(expectedHash));
}
