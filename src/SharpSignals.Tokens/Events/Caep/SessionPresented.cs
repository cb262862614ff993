using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.7: a session was presented to the transmitter.</summary>
public sealed record SessionPresented : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.SessionPresented;

    /// <summary>A fingerprint of the user agent.</summary>
    [JsonPropertyName("fp_ua")]
    public string? UserAgentFingerprint { get; init; }

    /// <summary>An external or federated session identifier.</summary>
    [JsonPropertyName("ext_id")]
    public string? ExternalSessionId { get; init; }
}
