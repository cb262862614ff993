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
internal sealed record PushOutcome(PushResult Result, string? Error = null, string? Description = null, TimeSpan? RetryAfter = null);
