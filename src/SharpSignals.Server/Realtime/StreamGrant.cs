namespace SharpSignals.Server.Realtime;

/// <summary>
/// What a token allows on one stream: read it until <see cref="ExpiresAt"/> (null: no end);
/// <see cref="CounterKey"/> is who the connection counts against (<see cref="TokenLimits"/>).
/// </summary>
internal sealed record StreamGrant(string StreamId, DateTimeOffset? ExpiresAt, string CounterKey);
