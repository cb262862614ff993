using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>What one push came to (docs/ARCHITECTURE.md, "The path of one event", step 3).</summary>
internal enum PushResult
{
    /// <summary>2xx: delivered.</summary>
    Delivered,

    /// <summary>400 with an RFC 8935 <c>err</c>: the receiver refused the SET; retrying cannot help.</summary>
    Refused,

    /// <summary>401 or 403: the receiver does not accept the stream's credential.</summary>
    Unauthorized,

    /// <summary>429, 5xx, time-out or network failure: try again later.</summary>
    Retry,
}

/// <summary>The result of one push with its details.</summary>
/// <param name="Result">What it came to.</param>
/// <param name="Error">The RFC 8935 <c>err</c> of a refusal, else what failed (<c>HTTP 503</c>, <c>timeout</c>, a network error).</param>
/// <param name="Description">The receiver's description with its <c>err</c>.</param>
/// <param name="RetryAfter">How long the receiver asked to wait (429, 503).</param>
internal sealed record PushOutcome(PushResult Result, string? Error = null, string? Description = null, TimeSpan? RetryAfter = null)
{
    /// <summary>The HTTP status of the answer; null when there was none (time-out, network failure).</summary>
    public int? Status { get; init; }

    /// <summary>No push was sent: the receiver's token endpoint gave no access token (<see cref="ReceiverTokens"/>).</summary>
    public bool AtTokenEndpoint { get; init; }

    /// <summary>How long the push took, to the answer or the failure.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The first KiB of the answer's body, credentials masked (<see cref="PushResponseExcerpt"/>); null when empty.</summary>
    public string? Response { get; init; }

    /// <summary>
    /// The attempt as the entry keeps it: the status and body excerpt, with the <c>err</c> only when
    /// the receiver sent one or there was no answer at all (a status alone says the rest).
    /// </summary>
    public DeliveryAttempt ToAttempt(DateTimeOffset at) =>
        new(at, Status, Result == PushResult.Refused || Status is null ? Error : null, Description, Duration, Response);
}
