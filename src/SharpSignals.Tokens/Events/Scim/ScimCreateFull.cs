using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: a resource was created; the event carries the resource in <c>data</c>.</summary>
public sealed record ScimCreateFull : ScimProvisioningEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.CreateFull;

    /// <inheritdoc/>
    [JsonIgnore]
    public override bool IsFull => true;
}
