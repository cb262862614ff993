using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: a resource was patched; the event names the changed attributes in <c>attributes</c>.</summary>
public sealed record ScimPatchNotice : ScimProvisioningEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.PatchNotice;

    /// <inheritdoc/>
    [JsonIgnore]
    public override bool IsFull => false;
}
