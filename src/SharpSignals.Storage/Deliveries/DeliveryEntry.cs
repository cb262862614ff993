namespace SharpSignals.Storage.Deliveries;

/// <summary>One event queued for one stream.</summary>
/// <param name="Id">The entry's position: increasing in the order entries were queued, never reused.</param>
/// <param name="StreamId">The stream.</param>
/// <param name="EventPosition">The event's position in the log.</param>
/// <param name="Jti">The <c>jti</c> of the SET as this stream receives it.</param>
/// <param name="Token">The SET signed for this stream; null until it is first signed.</param>
/// <param name="EventToken">The event's SET as it was appended to the log.</param>
/// <param name="State">Where the entry stands.</param>
/// <param name="Attempts">How many delivery attempts were made since the entry was last queued (for a pending entry: how many failed).</param>
/// <param name="NextAttemptAt">When the next push may be tried, after a failure.</param>
/// <param name="LastError">The last failure, or the receiver's error for a dead letter.</param>
/// <param name="CreatedAt">When the entry was queued.</param>
public sealed record DeliveryEntry(
    long Id,
    string StreamId,
    long EventPosition,
    string Jti,
    string? Token,
    string EventToken,
    DeliveryState State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset CreatedAt)
{
    /// <summary>The W3C <c>traceparent</c> kept with the event (<see cref="Events.NewEvent.TraceParent"/>); null when it was not traced.</summary>
    public string? TraceParent { get; init; }
}
