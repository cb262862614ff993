using SharpSignals.Storage.Clients;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Access tokens found in the store, by hash, kept for <see cref="Lifetime"/> (see
/// <see cref="StoreReadCache{T}"/>); their expiry is still checked on every request. Revoking a
/// client calls <see cref="Invalidate"/> once the revocation is committed.
/// </summary>
internal sealed class AccessTokenCache(IClientStore clients, TimeProvider time)
{
    /// <summary>How long a token read from the store is used without reading it again.</summary>
    public static readonly TimeSpan Lifetime = StoreReadCache<AccessTokenRecord>.Lifetime;

    private readonly StoreReadCache<AccessTokenRecord> _cache = new(time);

    /// <summary>The access token with this hash, from the cache or the store; null when the store has none.</summary>
    public ValueTask<AccessTokenRecord?> FindAsync(string tokenHash, CancellationToken cancellationToken) =>
        _cache.FindAsync(tokenHash, clients.FindAccessTokenAsync, cancellationToken);

    /// <summary>Forgets every token read so far; called after tokens were revoked in the store.</summary>
    public void Invalidate() => _cache.Invalidate();
}
