using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: a resource was replaced; the event carries the resource in <c>data</c>.</summary>
public sealed record ScimPutFull : ScimProvisioningEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.PutFull;

    /// <inheritdoc/>
    [JsonIgnore]
    public override bool IsFull => true;
}
