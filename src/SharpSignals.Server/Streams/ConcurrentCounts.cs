using System.Collections.Concurrent;

namespace SharpSignals.Server.Streams;

/// <summary>
/// How many of something are live per key on this node (long polls of a stream, connections of a
/// client), each admitted only below a maximum. Lock-free: one compare-and-swap per change, and a
/// key's entry goes when its count falls to zero, so idle keys hold no memory.
/// </summary>
internal sealed class ConcurrentCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int this[string key] => _counts.GetValueOrDefault(key);

    public bool TryAdd(string key, int max)
    {
        while (true)
        {
            var current = _counts.GetValueOrDefault(key);
            if (current >= max)
            {
                return false;
            }

            if (current == 0 ? _counts.TryAdd(key, 1) : _counts.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Admits one under <paramref name="max"/> for as long as the returned lease is not disposed; check <see cref="Lease.Entered"/>.</summary>
    public Lease TryEnter(string key, int max) => TryAdd(key, max) ? new Lease(this, key) : default;

    public void Remove(string key)
    {
        while (_counts.TryGetValue(key, out var current))
        {
            if (current <= 1 ? _counts.TryRemove(new KeyValuePair<string, int>(key, current)) : _counts.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>One admitted; disposing gives it back. The default lease was not admitted.</summary>
    internal readonly struct Lease(ConcurrentCounts? counts, string key) : IDisposable
    {
        public bool Entered => counts is not null;

        public void Dispose() => counts?.Remove(key);
    }
}
