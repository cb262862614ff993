using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: the resource was deactivated.</summary>
public sealed record ScimDeactivate : ScimEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.Deactivate;
}
