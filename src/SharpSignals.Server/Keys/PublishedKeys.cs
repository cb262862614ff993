using SharpSignals.Tokens.Keys;

using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Keys;

/// <summary>
/// A key of the issuer's JWKS and its part in the rotation: the one that signs now, one published
/// ahead of signing, or one retired but still published (docs/ARCHITECTURE.md, "Key rotation").
/// </summary>
/// <param name="KeyId">Its <c>kid</c>.</param>
/// <param name="Algorithm">Its <c>alg</c>.</param>
/// <param name="State"><see cref="Active"/>, <see cref="Next"/> or <see cref="Retired"/>.</param>
/// <param name="SignsFrom">When the active or next key started or starts signing; null for a retired key.</param>
/// <param name="RetiredAt">When a retired key stopped signing; null for the others.</param>
internal sealed record PublishedKey(string KeyId, string Algorithm, string State, DateTimeOffset? SignsFrom, DateTimeOffset? RetiredAt)
{
    /// <summary>The key that signs now.</summary>
    public const string Active = "active";

    /// <summary>Published ahead of signing: it signs from <see cref="SignsFrom"/>.</summary>
    public const string Next = "next";

    /// <summary>No longer signs; published while what it signed may still be sent.</summary>
    public const string Retired = "retired";
}

/// <summary>The issuer's published keys with their states, as the admin API and the console show them.</summary>
internal static class PublishedKeys
{
    /// <summary>The active key, then the next ones, then the retired ones.</summary>
    public static IReadOnlyList<PublishedKey> Published(this IssuerKeyStore keys, string tenant = TenantProjects.DefaultTenant)
    {
        var ring = keys.RingOf(tenant);
        var signsFrom = keys.KeysOf(tenant).ToDictionary(k => k.Key.KeyId, k => (DateTimeOffset?)k.SignsFrom, StringComparer.Ordinal);
        return
        [
            new PublishedKey(ring.Active.KeyId, ring.Active.Algorithm, PublishedKey.Active, signsFrom.GetValueOrDefault(ring.Active.KeyId), null),
            .. ring.Upcoming.Select(k => new PublishedKey(k.KeyId, k.Algorithm, PublishedKey.Next, signsFrom.GetValueOrDefault(k.KeyId), null)),
            .. ring.Retired.Select(r => new PublishedKey(r.Key.KeyId, r.Key.Algorithm, PublishedKey.Retired, null, r.RetiredAt)),
        ];
    }

    /// <summary>
    /// Rotates to a new key of <paramref name="algorithm"/> (the active key's when null), published
    /// at once and signing after the rotation lead time, or at once when <paramref name="now"/> (a
    /// compromised key).
    /// </summary>
    /// <returns>The new key, or null, with nothing changed, when the algorithm is not one the issuer signs with.</returns>
    public static async Task<PublishedKey?> RotateToAsync(this IssuerKeyStore keys, string? algorithm, bool now, CancellationToken cancellationToken, string tenant = TenantProjects.DefaultTenant)
    {
        algorithm ??= keys.RingOf(tenant).Active.Algorithm;
        if (!SigningAlgorithms.Signing.Contains(algorithm))
        {
            return null;
        }

        var (key, signsFrom) = await keys.RotateAsync(tenant, algorithm, now, cancellationToken);
        return new PublishedKey(key.KeyId, key.Algorithm, now ? PublishedKey.Active : PublishedKey.Next, signsFrom, null);
    }
}
