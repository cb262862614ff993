using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>
/// A SCIM create, patch or put event (RFC 9967). A <c>full</c> event carries the resource in
/// <see cref="Data"/>; a <c>notice</c> names the changed attributes in <see cref="Attributes"/>;
/// exactly one of the two is present.
/// </summary>
public abstract record ScimProvisioningEvent : ScimEvent
{
    /// <summary>Whether this is the <c>full</c> variant, carrying <see cref="Data"/>.</summary>
    [JsonIgnore]
    public abstract bool IsFull { get; }

    /// <summary>The resource as it is after the change (full events).</summary>
    [JsonPropertyName("data")]
    public JsonElement? Data { get; init; }

    /// <summary>The paths of the changed attributes, such as <c>name.familyName</c> (notice events).</summary>
    [JsonPropertyName("attributes")]
    public IReadOnlyList<string>? Attributes { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var (present, absent, presentName, absentName) = IsFull
            ? (Data is { ValueKind: JsonValueKind.Object }, Attributes is null, "data", "attributes")
            : (Attributes is { Count: > 0 }, Data is null, "attributes", "data");
        if (!present)
        {
            errors.Add(IsFull ? "data is required and must be the resource object" : "attributes is required and must list the changed attributes");
        }

        if (!absent)
        {
            errors.Add($"{absentName} must not appear beside {presentName}");
        }
    }
}
