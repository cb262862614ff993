using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.6: a session was established.</summary>
public sealed record SessionEstablished : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.SessionEstablished;

    /// <summary>A fingerprint of the user agent.</summary>
    [JsonPropertyName("fp_ua")]
    public string? UserAgentFingerprint { get; init; }

    /// <summary>The authentication context class reference.</summary>
    [JsonPropertyName("acr")]
    public string? Acr { get; init; }

    /// <summary>The authentication methods used.</summary>
    [JsonPropertyName("amr")]
    public IReadOnlyList<string>? Amr { get; init; }

    /// <summary>An external or federated session identifier.</summary>
    [JsonPropertyName("ext_id")]
    public string? ExternalSessionId { get; init; }
}
