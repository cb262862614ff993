using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.10: the account's recovery information changed.</summary>
public sealed record RecoveryInformationChanged : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.RecoveryInformationChanged;
}
