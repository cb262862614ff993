using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.8.1: the account opted in to RISC event exchange.</summary>
public sealed record OptIn : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.OptIn;
}
