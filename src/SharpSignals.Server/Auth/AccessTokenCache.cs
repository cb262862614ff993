using System.Collections.Concurrent;
using SharpSignals.Storage.Clients;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Access tokens found in the store, by hash, kept for a few seconds so that a client sending many
/// requests does not cost a store read each (DESIGN.md, "Performance budget"). Only found tokens are
/// kept, and their expiry is still checked on every request. Revoking a client calls
/// <see cref="Invalidate"/> once the revocation is committed: every entry read before it is dropped,
/// also one whose read was still in flight, so a revoked token stops working exactly as without the
/// cache. (With several nodes, another node's entries would live on for at most <see cref="Lifetime"/>.)
/// </summary>
internal sealed class AccessTokenCache(IClientStore clients, TimeProvider time)
{
    /// <summary>How long a token read from the store is used without reading it again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Past this many tokens the cache starts over, so that it never grows without bound.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The access token with this hash, from the cache or the store; null when the store has none.</summary>
    public async ValueTask<AccessTokenRecord?> FindAsync(string tokenHash, CancellationToken cancellationToken)
    {
        // Taken before the read: an invalidation while the read is in flight makes its result stale.
        var generation = Interlocked.Read(ref _generation);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tokenHash, out var cached) && cached.Generation == generation && now < cached.ReadAt + Lifetime)
        {
            return cached.Record;
        }

        var record = await clients.FindAccessTokenAsync(tokenHash, cancellationToken);
        if (record is not null)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[tokenHash] = new Entry(record, generation, now);
        }

        return record;
    }

    /// <summary>Forgets every token read so far; called after tokens were revoked in the store.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(AccessTokenRecord Record, long Generation, DateTimeOffset ReadAt);
}
