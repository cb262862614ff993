using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.11 (deprecated; use <see cref="SessionRevoked"/>): all sessions of the account were revoked.</summary>
public sealed record SessionsRevoked : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.SessionsRevoked;
}
