using SharpSignals.Tokens.Discovery;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Receiver.Streams;

/// <summary>The stream SETs are taken in on, once set up: its validator and where and how it delivers.</summary>
internal sealed record ActiveStream
{
    public required string StreamId { get; init; }

    public required TransmitterMetadata Metadata { get; init; }

    public required SetValidator Validator { get; init; }

    public required string DeliveryMethod { get; init; }

    /// <summary>For poll: the transmitter's endpoint (SSF 1.0 §6.1.2).</summary>
    public string? PollEndpointUrl { get; init; }

    /// <summary>For push: the credential the transmitter must present.</summary>
    public string? PushAuthorizationHeader { get; init; }

    /// <summary>The <c>state</c> of the verification asked for on this start.</summary>
    public string? VerificationState { get; init; }

    /// <summary>The <c>state</c> asked for on the start before, whose event may still come.</summary>
    public string? PreviousVerificationState { get; init; }
}
