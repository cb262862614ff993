using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RISC 1.0 §2.3: the account was disabled.</summary>
public sealed record AccountDisabled : SecurityEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Risc.AccountDisabled;

    /// <summary><c>hijacking</c> or <c>bulk-account</c>.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        RequireOneOf(errors, "reason", Reason, CaepValues.AccountDisabledReasons);
    }
}
