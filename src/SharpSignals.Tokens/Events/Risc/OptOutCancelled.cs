using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.8.3: the account cancelled its opt-out.</summary>
public sealed record OptOutCancelled : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.OptOutCancelled;
}
