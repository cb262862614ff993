using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.1: the sessions identified by the subject were revoked.</summary>
public sealed record SessionRevoked : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.SessionRevoked;
}
