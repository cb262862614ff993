using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: the resource left the feed.</summary>
public sealed record ScimFeedRemove : ScimEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.FeedRemove;
}
