using System.Text.Json;

namespace SharpSignals.Tokens.Events;

/// <summary>An event whose type this library does not know, carried as the raw JSON it came with.</summary>
/// <param name="Type">The event type URI.</param>
/// <param name="Payload">The event object, unchanged.</param>
public sealed record UnknownEvent(string Type, JsonElement Payload) : SecurityEvent
{
    /// <inheritdoc/>
    public override string EventType => Type;

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);

        // RFC 8417 §2.2: each event's value MUST be a JSON object.
        if (Payload.ValueKind != JsonValueKind.Object)
        {
            errors.Add("the event payload must be a JSON object");
        }
    }
}
