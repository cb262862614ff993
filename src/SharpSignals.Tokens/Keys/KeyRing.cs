using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>
/// An issuer's signing keys: one active key that signs new SETs, upcoming keys that are published
/// before they sign (so that receivers with a cached JWKS already know them), and retired keys that
/// only remain published until what they signed has been delivered or expired. Immutable: rotation
/// returns a new ring, so readers never see a half-rotated one.
/// </summary>
public sealed class KeyRing
{
    private readonly IReadOnlyList<RetiredKey> _retired;
    private readonly IReadOnlyList<SetSigningKey> _upcoming;

    /// <summary>Creates a ring.</summary>
    /// <param name="active">The key that signs new SETs.</param>
    /// <param name="retired">Keys kept only for verification, with when each was retired.</param>
    /// <param name="upcoming">Keys published ahead of signing, the next to sign first.</param>
    public KeyRing(SetSigningKey active, IEnumerable<RetiredKey>? retired = null, IEnumerable<SetSigningKey>? upcoming = null)
    {
        ArgumentNullException.ThrowIfNull(active);
        Active = active;
        _upcoming = (upcoming ?? []).Where(k => k.KeyId != active.KeyId).ToList();
        _retired = (retired ?? []).Where(r => r.Key.KeyId != active.KeyId && _upcoming.All(k => k.KeyId != r.Key.KeyId)).ToList();
    }

    /// <summary>The key that signs new SETs.</summary>
    public SetSigningKey Active { get; }

    /// <summary>Keys that no longer sign but are still published.</summary>
    public IReadOnlyList<RetiredKey> Retired => _retired;

    /// <summary>Keys that are published but do not sign yet, the next to sign first.</summary>
    public IReadOnlyList<SetSigningKey> Upcoming => _upcoming;

    /// <summary>A ring where <paramref name="next"/> signs and the current active key is retired at <paramref name="now"/>.</summary>
    /// <param name="next">The new active key.</param>
    /// <param name="now">The time of rotation.</param>
    /// <returns>The new ring.</returns>
    public KeyRing Rotate(SetSigningKey next, DateTimeOffset now) =>
        new(next, [.. _retired, new RetiredKey(Active, now)], _upcoming);

    /// <summary>A ring without the keys retired before <paramref name="cutoff"/>.</summary>
    /// <param name="cutoff">Keys retired earlier than this are dropped.</param>
    /// <returns>The new ring.</returns>
    public KeyRing WithoutRetiredBefore(DateTimeOffset cutoff) =>
        new(Active, _retired.Where(r => r.RetiredAt >= cutoff), _upcoming);

    /// <summary>The public JWKs of the active, upcoming and retired keys.</summary>
    public IEnumerable<JsonWebKey> PublicKeys => [Active.PublicJwk, .. _upcoming.Select(k => k.PublicJwk), .. _retired.Select(r => r.Key.PublicJwk)];

    /// <summary>The published JWK Set: public members only.</summary>
    /// <returns>The JWKS JSON.</returns>
    public string ToPublicJwks() => Jwk.WritePublicSet(PublicKeys);

    /// <summary>A key source over this ring's keys, for validating what this issuer signed.</summary>
    /// <returns>The key source.</returns>
    public ISetKeySource AsKeySource() =>
        new StaticKeySource([Active.SecurityKey, .. _upcoming.Select(k => k.SecurityKey), .. _retired.Select(r => r.Key.SecurityKey)]);
}
