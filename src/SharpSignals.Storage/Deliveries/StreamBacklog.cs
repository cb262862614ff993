namespace SharpSignals.Storage.Deliveries;

/// <summary>How far behind a stream is.</summary>
/// <param name="Pending">Entries waiting to be delivered or acknowledged.</param>
/// <param name="OldestPendingAt">When the oldest of them was queued.</param>
/// <param name="DeadLetters">Entries given up on.</param>
/// <param name="LastError">The most recent failure recorded on a pending entry or dead letter.</param>
public sealed record StreamBacklog(long Pending, DateTimeOffset? OldestPendingAt, long DeadLetters, string? LastError);
