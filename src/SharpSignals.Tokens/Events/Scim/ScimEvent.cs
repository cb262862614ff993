using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>
/// A SCIM event (RFC 9967). Several SCIM events may share one SET when they describe the same change
/// of one resource; the subject is always a <c>scim</c> identifier in <c>sub_id</c>.
/// </summary>
public abstract record ScimEvent : SecurityEvent
{
    /// <summary>The resource's version (its ETag) after the change.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }
}
