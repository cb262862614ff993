namespace SharpSignals.Receiver.State;

/// <summary>The stream this receiver created at a transmitter, kept so that a restart reuses it instead of creating another.</summary>
public sealed record ReceiverStreamRecord
{
    /// <summary>The transmitter's issuer.</summary>
    public required string Issuer { get; init; }

    /// <summary>The transmitter's <c>stream_id</c>.</summary>
    public required string StreamId { get; init; }

    /// <summary>The delivery method URN the stream was created with.</summary>
    public required string DeliveryMethod { get; init; }

    /// <summary>For push: the endpoint URL given to the transmitter.</summary>
    public string? PushEndpointUrl { get; init; }

    /// <summary>For push: the Authorization header value the transmitter sends with every SET (a secret).</summary>
    public string? PushAuthorizationHeader { get; init; }

    /// <summary>The event types asked for.</summary>
    public IReadOnlyList<string> EventsRequested { get; init; } = [];

    /// <summary>
    /// The <c>state</c> of the last verification asked for, kept so that its event is still accepted
    /// when it arrives after a restart (SSF 1.0 §8.1.4.2: the receiver must not assume any timing).
    /// </summary>
    public string? VerificationState { get; init; }

    /// <summary>When the stream was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
