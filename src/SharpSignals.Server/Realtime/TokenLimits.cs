using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Live connections and subscriptions per token (by its hash), so that one leaked or shared token
/// cannot hold the server's sockets and memory.
/// </summary>
internal sealed class TokenLimits(IOptions<RealtimeOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _subscriptions = new(StringComparer.Ordinal);

    /// <summary>The key a token is counted under; never the token itself.</summary>
    public static string KeyOf(string token) => TokenHashing.Hash(token);

    public bool TryAddConnection(string key) => TryAdd(_connections, key, options.Value.MaxConnectionsPerToken);

    public void RemoveConnection(string key) => Remove(_connections, key);

    public bool TryAddSubscription(string key) => TryAdd(_subscriptions, key, options.Value.MaxSubscriptionsPerToken);

    public void RemoveSubscription(string key) => Remove(_subscriptions, key);

    private static bool TryAdd(ConcurrentDictionary<string, int> counts, string key, int max)
    {
        while (true)
        {
            var current = counts.GetValueOrDefault(key);
            if (current >= max)
            {
                return false;
            }

            if (current == 0 ? counts.TryAdd(key, 1) : counts.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    private static void Remove(ConcurrentDictionary<string, int> counts, string key)
    {
        while (counts.TryGetValue(key, out var current))
        {
            if (current <= 1 ? counts.TryRemove(new KeyValuePair<string, int>(key, current)) : counts.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }
}
