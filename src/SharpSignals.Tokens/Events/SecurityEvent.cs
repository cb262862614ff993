using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>
/// One member of a SET's <c>events</c> claim (RFC 8417 §2.2): the event type URI and its payload.
/// Members this library does not know are kept in <see cref="AdditionalMembers"/> and written back
/// unchanged (SSF 1.0 §4.1.1: receivers ignore what they do not understand).
/// </summary>
public abstract record SecurityEvent
{
    /// <summary>The event type URI, the member name in <c>events</c>.</summary>
    [JsonIgnore]
    public abstract string EventType { get; }

    /// <summary>Payload members that the event type does not define.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalMembers { get; set; }

    /// <summary>Checks required members and enumerated values; every problem is reported.</summary>
    /// <returns>The problems found, each naming its member; empty when the event is valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CollectErrors(errors);
        return errors;
    }

    /// <summary>Adds a message for every problem in the payload.</summary>
    /// <param name="errors">Where to add the messages.</param>
    protected virtual void CollectErrors(List<string> errors)
    {
    }

    /// <summary>Adds an error when a required member is missing.</summary>
    /// <param name="errors">Where to add the message.</param>
    /// <param name="member">The member's JSON name.</param>
    /// <param name="value">The member's value.</param>
    /// <returns><see langword="true"/> when the member is present.</returns>
    protected static bool Require(List<string> errors, string member, object? value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value is null || (value is string s && s.Length == 0))
        {
            errors.Add($"{member} is required");
            return false;
        }

        return true;
    }

    /// <summary>Adds an error when a present value is not one of the allowed ones.</summary>
    /// <param name="errors">Where to add the message.</param>
    /// <param name="member">The member's JSON name.</param>
    /// <param name="value">The member's value; <see langword="null"/> passes.</param>
    /// <param name="allowed">The values the specification enumerates.</param>
    protected static void RequireOneOf(List<string> errors, string member, string? value, IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(allowed);
        if (value is not null && !allowed.Contains(value))
        {
            errors.Add($"{member} must be one of {string.Join(", ", allowed)}, not '{value}'");
        }
    }

    /// <summary>Adds an error when a present language map is empty or holds an empty text.</summary>
    /// <param name="errors">Where to add the message.</param>
    /// <param name="member">The member's JSON name.</param>
    /// <param name="map">The map of BCP 47 language tags to texts.</param>
    protected static void RequireLanguageMap(List<string> errors, string member, IReadOnlyDictionary<string, string>? map)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (map is not null && (map.Count == 0 || map.Any(m => string.IsNullOrEmpty(m.Key) || string.IsNullOrEmpty(m.Value))))
        {
            errors.Add($"{member} must map language tags to non-empty texts");
        }
    }
}
