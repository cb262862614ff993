using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.1: the account must change a credential.</summary>
public sealed record AccountCredentialChangeRequired : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.AccountCredentialChangeRequired;
}
