using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>SSF 1.0 §8.1.5: the transmitter changed the stream's status.</summary>
public sealed record StreamUpdated : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Ssf.StreamUpdated;

    /// <summary>The new status: <c>enabled</c>, <c>paused</c> or <c>disabled</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>Why the status changed.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        Require(errors, "status", Status);
        RequireOneOf(errors, "status", Status, StreamStatuses.All);
    }
}
