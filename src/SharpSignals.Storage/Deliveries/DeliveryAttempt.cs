namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// One attempt to deliver an entry, as kept with it (the last few, for the retention period): a push
/// and what the receiver answered, or a poll acknowledgement or <c>setErrs</c> report.
/// </summary>
/// <param name="At">When the attempt started (a push) or was reported (a poll acknowledgement or error).</param>
/// <param name="Status">The HTTP status the receiver answered a push with; null when it answered none (time-out, network) and for poll.</param>
/// <param name="Error">The RFC 8935 <c>err</c> (push 400, poll <c>setErrs</c>), or what failed without an answer (<c>timeout</c>, a network error).</param>
/// <param name="Description">The receiver's <c>description</c> with its <c>err</c>.</param>
/// <param name="Duration">How long the push took, to the answer or the failure; null for poll.</param>
/// <param name="Response">The first KiB of the push answer's body, with credentials masked; null when it had none.</param>
public sealed record DeliveryAttempt(
    DateTimeOffset At,
    int? Status = null,
    string? Error = null,
    string? Description = null,
    TimeSpan? Duration = null,
    string? Response = null);
