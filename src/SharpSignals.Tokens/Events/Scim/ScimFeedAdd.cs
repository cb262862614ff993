using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: the resource joined the feed.</summary>
public sealed record ScimFeedAdd : ScimEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.FeedAdd;
}
