using System.Collections.Concurrent;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Credentials found in the store, by key, kept for a few seconds so that a caller sending many
/// requests does not cost a store read each (docs/ARCHITECTURE.md, "Performance budget"). Only what was found is
/// kept. Whoever revokes or replaces a credential calls <see cref="Invalidate"/> once that is
/// committed: every entry read before it is dropped, also one whose read was still in flight, so the
/// old credential stops working on this node exactly as without the cache. (With several nodes,
/// another node's entries live on for at most <see cref="Lifetime"/>.)
/// </summary>
internal sealed class StoreReadCache<T>(TimeProvider time)
    where T : class
{
    /// <summary>How long a value read from the store is used without reading it again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Past this many entries the cache starts over, so that it never grows without bound.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The value under <paramref name="key"/>, from the cache or from <paramref name="read"/>; null when the store has none.</summary>
    public async ValueTask<T?> FindAsync(string key, Func<string, CancellationToken, ValueTask<T?>> read, CancellationToken cancellationToken)
    {
        // Taken before the read: an invalidation while the read is in flight makes its result stale.
        var generation = Interlocked.Read(ref _generation);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && cached.Generation == generation && now < cached.ReadAt + Lifetime)
        {
            return cached.Value;
        }

        var value = await read(key, cancellationToken);
        if (value is not null)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(value, generation, now);
        }

        return value;
    }

    /// <summary>Forgets everything read so far; called after credentials were revoked or replaced in the store.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(T Value, long Generation, DateTimeOffset ReadAt);
}
