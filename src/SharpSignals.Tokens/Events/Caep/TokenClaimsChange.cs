using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>CAEP 1.0 §3.2: claims of a token changed.</summary>
public sealed record TokenClaimsChange : CaepEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Caep.TokenClaimsChange;

    /// <summary>The changed claims with their new values.</summary>
    [JsonPropertyName("claims")]
    public IReadOnlyDictionary<string, JsonElement>? Claims { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        if (Require(errors, "claims", Claims) && Claims!.Count == 0)
        {
            errors.Add("claims must hold at least one claim");
        }
    }
}
