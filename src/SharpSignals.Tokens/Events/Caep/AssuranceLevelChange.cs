using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.4: the authentication assurance level changed.</summary>
public sealed record AssuranceLevelChange : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.AssuranceLevelChange;

    /// <summary>The scheme of the levels, such as <c>NIST-AAL</c> or <c>RFC8176</c>.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    /// <summary>The level now.</summary>
    [JsonPropertyName("current_level")]
    public string? CurrentLevel { get; init; }

    /// <summary>The level before; absent means unknown.</summary>
    [JsonPropertyName("previous_level")]
    public string? PreviousLevel { get; init; }

    /// <summary><c>increase</c> or <c>decrease</c>.</summary>
    [JsonPropertyName("change_direction")]
    public string? ChangeDirection { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        Require(errors, "namespace", Namespace);
        Require(errors, "current_level", CurrentLevel);
        RequireOneOf(errors, "change_direction", ChangeDirection, CaepValues.ChangeDirections);
    }
}
