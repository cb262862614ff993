using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.Auth;

/// <summary>
/// A stream's own credential (docs/API.md, "Stream credentials"): 256 random bits behind a prefix that
/// tells it from an access token, kept only as its SHA-256, with no expiry, replaced by the next one
/// issued and gone once revoked. The one place where it is issued and checked: the token handler
/// takes it at its stream's poll endpoint, the push receiver at its stream's push endpoint, and
/// nothing else takes it at all.
/// </summary>
internal sealed class StreamCredentials(IStreamStore store, TimeProvider time)
{
    /// <summary>
    /// Each stream's credential hash, so that a pushed SET or a poll does not cost a store read
    /// (docs/ARCHITECTURE.md, "Performance budget"); issuing and revoking here drop it at once, another node's
    /// change is seen within <see cref="StoreReadCache{T}.Lifetime"/>.
    /// </summary>
    private readonly StoreReadCache<string> _hashes = new(time);

    /// <summary>Begins every stream credential, so that the token handler never looks it up as an access token.</summary>
    public const string Prefix = "ssc_";

    public static bool IsStreamCredential(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A new credential for the stream, replacing the one before; the only time it is seen in full.</summary>
    /// <returns>The credential, or null when there is no such stream.</returns>
    public async ValueTask<string?> IssueAsync(string streamId, CancellationToken cancellationToken)
    {
        var credential = Prefix + TokenHashing.NewToken();
        var issued = await store.SetCredentialHashAsync(streamId, TokenHashing.Hash(credential), cancellationToken);
        _hashes.Invalidate();
        return issued ? credential : null;
    }

    public async ValueTask<bool> RevokeAsync(string streamId, CancellationToken cancellationToken)
    {
        var revoked = await store.SetCredentialHashAsync(streamId, null, cancellationToken);
        _hashes.Invalidate();
        return revoked;
    }

    /// <summary>Whether <paramref name="token"/> (the bearer token, without the scheme) is the stream's current credential.</summary>
    public async ValueTask<bool> MatchesAsync(string streamId, string? token, CancellationToken cancellationToken) =>
        token is not null && IsStreamCredential(token)
        && await _hashes.FindAsync(streamId, store.GetCredentialHashAsync, cancellationToken) is { } hash
        && TokenHashing.Matches(token, hash);
}
