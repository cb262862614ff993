using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>
/// An issuer's signing keys: one active key that signs new SETs, and retired keys that only remain
/// published until what they signed has been delivered or expired. Immutable: rotation returns a
/// new ring, so readers never see a half-rotated one.
/// </summary>
public sealed class KeyRing
{
    private readonly IReadOnlyList<RetiredKey> _retired;

    /// <summary>Creates a ring.</summary>
    /// <param name="active">The key that signs new SETs.</param>
    /// <param name="retired">Keys kept only for verification, with when each was retired.</param>
    public KeyRing(SetSigningKey active, IEnumerable<RetiredKey>? retired = null)
    {
        ArgumentNullException.ThrowIfNull(active);
        Active = active;
        _retired = (retired ?? []).Where(r => r.Key.KeyId != active.KeyId).ToList();
    }

    /// <summary>The key that signs new SETs.</summary>
    public SetSigningKey Active { get; }

    /// <summary>Keys that no longer sign but are still published.</summary>
    public IReadOnlyList<RetiredKey> Retired => _retired;

    /// <summary>A ring where <paramref name="next"/> signs and the current active key is retired at <paramref name="now"/>.</summary>
    /// <param name="next">The new active key.</param>
    /// <param name="now">The time of rotation.</param>
    /// <returns>The new ring.</returns>
    public KeyRing Rotate(SetSigningKey next, DateTimeOffset now) =>
        new(next, [.. _retired, new RetiredKey(Active, now)]);

    /// <summary>A ring without the keys retired before <paramref name="cutoff"/>.</summary>
    /// <param name="cutoff">Keys retired earlier than this are dropped.</param>
    /// <returns>The new ring.</returns>
    public KeyRing WithoutRetiredBefore(DateTimeOffset cutoff) =>
        new(Active, _retired.Where(r => r.RetiredAt >= cutoff));

    /// <summary>The public JWKs of the active and retired keys.</summary>
    public IEnumerable<JsonWebKey> PublicKeys => [Active.PublicJwk, .. _retired.Select(r => r.Key.PublicJwk)];

    /// <summary>The published JWK Set: public members only.</summary>
    /// <returns>The JWKS JSON.</returns>
    public string ToPublicJwks() => Jwk.WritePublicSet(PublicKeys);

    /// <summary>A key source over this ring's keys, for validating what this issuer signed.</summary>
    /// <returns>The key source.</returns>
    public ISetKeySource AsKeySource() =>
        new StaticKeySource([Active.SecurityKey, .. _retired.Select(r => r.Key.SecurityKey)]);
}
