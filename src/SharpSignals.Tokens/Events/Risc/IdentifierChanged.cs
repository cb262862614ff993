using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.5: the identifier in the subject (the old value) changed.</summary>
public sealed record IdentifierChanged : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.IdentifierChanged;

    /// <summary>The new value of the identifier.</summary>
    [JsonPropertyName("new-value")]
    public string? NewValue { get; init; }
}
