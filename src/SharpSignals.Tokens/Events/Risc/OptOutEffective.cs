using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.8.4: the account's opt-out took effect.</summary>
public sealed record OptOutEffective : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.OptOutEffective;
}
