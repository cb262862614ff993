using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>SSF 1.0 §8.1.4.1: a verification event, sent on request (echoing <c>state</c>) or by the transmitter on its own (without it).</summary>
public sealed record Verification : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Ssf.Verification;

    /// <summary>The <c>state</c> from the verification request; absent when the transmitter started it.</summary>
    [JsonPropertyName("state")]
    public string? State { get; init; }
}
