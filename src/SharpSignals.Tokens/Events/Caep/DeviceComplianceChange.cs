using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.5: a device became compliant or not compliant with policy.</summary>
public sealed record DeviceComplianceChange : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.DeviceComplianceChange;

    /// <summary><c>compliant</c> or <c>not-compliant</c>.</summary>
    [JsonPropertyName("previous_status")]
    public string? PreviousStatus { get; init; }

    /// <summary><c>compliant</c> or <c>not-compliant</c>.</summary>
    [JsonPropertyName("current_status")]
    public string? CurrentStatus { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        Require(errors, "previous_status", PreviousStatus);
        RequireOneOf(errors, "previous_status", PreviousStatus, CaepValues.ComplianceStatuses);
        Require(errors, "current_status", CurrentStatus);
        RequireOneOf(errors, "current_status", CurrentStatus, CaepValues.ComplianceStatuses);
    }
}
