using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Realtime;

/// <summary>The <c>SharpSignals:Realtime</c> section: WebSocket and SSE subscribers, topics and their limits.</summary>
internal sealed record RealtimeOptions
{
    public const string Section = "SharpSignals:Realtime";

    /// <summary>
    /// Public keys that topic tokens (notiflux JWTs) are verified with: each a PEM public key, a
    /// base64-encoded PEM (as notiflux's <c>JWT_PUBLIC_KEY_B64</c>), or an https JWKS URL.
    /// </summary>
    public IReadOnlyList<string> TrustedKeys { get; init; } = [];

    /// <summary>Frames queued for one connection; a client that falls further behind is disconnected.</summary>
    [Range(1, 1_000_000)]
    public int SendBufferFrames { get; init; } = 1024;

    /// <summary>Stream SETs sent on one subscription and not yet acknowledged; more wait for an ack.</summary>
    [Range(1, 100_000)]
    public int MaxUnacknowledged { get; init; } = 1000;

    /// <summary>Live connections that may use one token at the same time.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerToken { get; init; } = 16;

    /// <summary>Live subscriptions (streams and topics) that may use one token at the same time.</summary>
    [Range(1, 1_000_000)]
    public int MaxSubscriptionsPerToken { get; init; } = 64;

    /// <summary>The most topics and streams one connection subscribes to.</summary>
    [Range(1, 100_000)]
    public int MaxSubscriptionsPerConnection { get; init; } = 256;

    /// <summary>WebSocket ping interval; a peer that does not answer within the same time again is dropped.</summary>
    [Range(1, 3600)]
    public int KeepAliveSeconds { get; init; } = 15;

    /// <summary>How long topic messages are kept for subscribers that reconnect (<c>since</c>).</summary>
    [Range(0, 86400)]
    public int TopicRetentionSeconds { get; init; } = 300;

    /// <summary>The most messages kept per topic within the retention window.</summary>
    [Range(0, 1_000_000)]
    public int TopicRetentionMessages { get; init; } = 1000;

    /// <summary>The largest broadcast message, in UTF-8 bytes, and the largest frame a client may send.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; init; } = 256 * 1024;

    /// <summary>Leeway for <c>exp</c> of topic tokens, against clock differences with the token issuer.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; init; } = 5;

    /// <summary>
    /// Close a live connection when a token it subscribed with expires (the default). notiflux
    /// publishers that issue tokens valid for a few seconds only should issue them for the session's
    /// length instead, or turn this off.
    /// </summary>
    public bool EnforceExpiryOnLiveConnections { get; init; } = true;
}
