namespace SharpSignals.Server.Realtime;

/// <summary>What a token allows on one stream: read it until <see cref="ExpiresAt"/> (null: no end).</summary>
internal sealed record StreamGrant(string StreamId, DateTimeOffset? ExpiresAt);
