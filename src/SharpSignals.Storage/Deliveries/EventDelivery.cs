namespace SharpSignals.Storage.Deliveries;

/// <summary>Where one event went on one stream: its delivery entry, without the SET itself.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Jti">The <c>jti</c> of the SET as this stream receives it.</param>
/// <param name="State">Where the entry stands.</param>
/// <param name="Attempts">How many delivery attempts were made since the entry was last queued (a dead-letter retry or a replay queues it again), the one that delivered it or gave it up included.</param>
/// <param name="LastError">The last failure, or the receiver's error for a dead letter.</param>
/// <param name="QueuedAt">When the entry was queued.</param>
/// <param name="CompletedAt">When it was delivered or given up on; null while pending.</param>
public sealed record EventDelivery(
    string StreamId,
    string Jti,
    DeliveryState State,
    int Attempts,
    string? LastError,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt)
{
    /// <summary>The entry's last attempts, oldest first: as many as the store keeps per entry, across requeues.</summary>
    public IReadOnlyList<DeliveryAttempt> AttemptLog { get; init; } = [];
}
