using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>The optional members every CAEP 1.0 event may carry (CAEP 1.0 §2).</summary>
public abstract record CaepEvent : SecurityEvent
{
    /// <summary>When the change happened, in seconds since the epoch.</summary>
    [JsonPropertyName("event_timestamp")]
    public long? EventTimestamp { get; init; }

    /// <summary>Who started the change: <c>admin</c>, <c>user</c>, <c>policy</c> or <c>system</c>.</summary>
    [JsonPropertyName("initiating_entity")]
    public string? InitiatingEntity { get; init; }

    /// <summary>Text for administrators, by BCP 47 language tag.</summary>
    [JsonPropertyName("reason_admin")]
    public IReadOnlyDictionary<string, string>? ReasonAdmin { get; init; }

    /// <summary>Text for the end user, by BCP 47 language tag.</summary>
    [JsonPropertyName("reason_user")]
    public IReadOnlyDictionary<string, string>? ReasonUser { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        RequireOneOf(errors, "initiating_entity", InitiatingEntity, CaepValues.InitiatingEntities);
        RequireLanguageMap(errors, "reason_admin", ReasonAdmin);
        RequireLanguageMap(errors, "reason_user", ReasonUser);
    }
}
