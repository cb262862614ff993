using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>Where a validator finds the public keys of a SET's issuer.</summary>
public interface ISetKeySource
{
    /// <summary>
    /// The keys that may have signed a SET with the given <c>kid</c>: the key with that ID, or every
    /// key when the SET names none. An implementation may fetch keys again when the ID is unknown.
    /// </summary>
    /// <param name="keyId">The JOSE header <c>kid</c>, if any.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The candidate keys; empty when none is known.</returns>
    ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(string? keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="GetKeysAsync"/>, and says whether an unknown <c>kid</c> is final: a source that
    /// refetches at a bounded rate answers <see cref="SetKeyLookup.RetryAfter"/> while it may not fetch
    /// yet, so that a SET signed with a key its issuer just rotated to is offered again, not lost.
    /// The default treats every answer as final.
    /// </summary>
    /// <param name="keyId">The JOSE header <c>kid</c>, if any.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The candidate keys, and when to ask again if the <c>kid</c> may still become known.</returns>
    async ValueTask<SetKeyLookup> LookupAsync(string? keyId, CancellationToken cancellationToken) =>
        new(await GetKeysAsync(keyId, cancellationToken).ConfigureAwait(false), null);
}
