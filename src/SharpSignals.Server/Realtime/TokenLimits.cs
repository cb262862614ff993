using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Live connections (WebSocket and SSE) and subscriptions per caller on this node, so that one
/// leaked or shared credential cannot hold the server's sockets and memory. A caller is counted by
/// <see cref="StreamGrant.CounterKey"/>: an OAuth client with all its access tokens together (it can
/// mint more), the admin token, or any other token by its hash.
/// </summary>
internal sealed class TokenLimits(IOptions<RealtimeOptions> options)
{
    /// <summary>The setting that bounds connections, named in refusals.</summary>
    public const string ConnectionsSetting = RealtimeOptions.Section + ":" + nameof(RealtimeOptions.MaxConnectionsPerToken);

    private readonly ConcurrentCounts _connections = new();
    private readonly ConcurrentCounts _subscriptions = new();

    /// <summary>The key a token is counted under; never the token itself.</summary>
    public static string KeyOf(string token) => TokenHashing.Hash(token);

    public bool TryAddConnection(string key) => _connections.TryAdd(key, options.Value.MaxConnectionsPerToken);

    /// <summary>One connection of <paramref name="key"/> while the lease lives (an SSE response); not entered at the limit.</summary>
    public ConcurrentCounts.Lease TryEnterConnection(string key) => _connections.TryEnter(key, options.Value.MaxConnectionsPerToken);

    public void RemoveConnection(string key) => _connections.Remove(key);

    /// <summary>Why a connection past the limit is refused: an error frame on <c>/ws</c>, a 429 on SSE.</summary>
    public string ConnectionsReached =>
        $"This token or its client is in use on {options.Value.MaxConnectionsPerToken} connections on this node already, the most allowed ({ConnectionsSetting}).";

    /// <summary>RFC 6585 §4: 429 with <c>Retry-After</c>; a connection left without a goodbye is found within a keep-alive interval.</summary>
    public Failure SseConnectionsReached() =>
        Failure.TooManyRequests(ConnectionsReached) with { RetryAfter = TimeSpan.FromSeconds(options.Value.KeepAliveSeconds) };

    public bool TryAddSubscription(string key) => _subscriptions.TryAdd(key, options.Value.MaxSubscriptionsPerToken);

    public void RemoveSubscription(string key) => _subscriptions.Remove(key);
}
