using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.6: the identifier in the subject now belongs to another user.</summary>
public sealed record IdentifierRecycled : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.IdentifierRecycled;
}
