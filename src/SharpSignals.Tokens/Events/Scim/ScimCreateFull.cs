namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: a resource was created; the event carries the resource in <c>data</c>.</summary>
public sealed record ScimCreateFull : ScimProvisioningEvent
{
    /// <inheritdoc/>
    public override string EventType => EventTypes.Scim.CreateFull;

    /// <inheritdoc/>
    public override bool IsFull => true;
}
