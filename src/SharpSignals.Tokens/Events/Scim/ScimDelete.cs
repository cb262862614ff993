using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: the resource was deleted and left the feed.</summary>
public sealed record ScimDelete : ScimEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.Delete;
}
