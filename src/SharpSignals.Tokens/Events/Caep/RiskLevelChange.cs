using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.8: the risk level of a principal changed.</summary>
public sealed record RiskLevelChange : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.RiskLevelChange;

    /// <summary>The kind of principal, such as <c>USER</c> or <c>DEVICE</c>.</summary>
    [JsonPropertyName("principal")]
    public string? Principal { get; init; }

    /// <summary><c>LOW</c>, <c>MEDIUM</c> or <c>HIGH</c>.</summary>
    [JsonPropertyName("current_level")]
    public string? CurrentLevel { get; init; }

    /// <summary>The level before; absent means unknown.</summary>
    [JsonPropertyName("previous_level")]
    public string? PreviousLevel { get; init; }

    /// <summary>Why the level changed, such as <c>PASSWORD_FOUND_IN_DATA_BREACH</c>.</summary>
    [JsonPropertyName("risk_reason")]
    public string? RiskReason { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        Require(errors, "principal", Principal);
        Require(errors, "current_level", CurrentLevel);
        RequireOneOf(errors, "current_level", CurrentLevel, CaepValues.RiskLevels);
        RequireOneOf(errors, "previous_level", PreviousLevel, CaepValues.RiskLevels);
    }
}
