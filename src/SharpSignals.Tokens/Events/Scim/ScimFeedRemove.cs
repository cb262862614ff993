namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: the resource left the feed.</summary>
public sealed record ScimFeedRemove : ScimEvent
{
    /// <inheritdoc/>
    public override string EventType => EventTypes.Scim.FeedRemove;
}
