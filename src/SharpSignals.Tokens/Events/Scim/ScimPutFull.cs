namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: a resource was replaced; the event carries the resource in <c>data</c>.</summary>
public sealed record ScimPutFull : ScimProvisioningEvent
{
    /// <inheritdoc/>
    public override string EventType => EventTypes.Scim.PutFull;

    /// <inheritdoc/>
    public override bool IsFull => true;
}
