using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSignals.Client;

/// <summary>
/// A stream configuration object as a transmitter answered it (SSF 1.0 §8.1.1), with the members a
/// receiver relies on checked: it MUST check <c>iss</c>, and <c>stream_id</c>, <c>aud</c>,
/// <c>events_delivered</c> and <c>delivery</c> are required in every answer.
/// </summary>
public sealed record StreamConfiguration
{
    /// <summary>The stream's identifier.</summary>
    public required string StreamId { get; init; }

    /// <summary>The audience of its SETs (<c>aud</c>, one string or several).</summary>
    public required IReadOnlyList<string> Audience { get; init; }

    /// <summary>The event types the transmitter delivers on it.</summary>
    public required IReadOnlyList<string> EventsDelivered { get; init; }

    /// <summary>The event types the transmitter could deliver.</summary>
    public IReadOnlyList<string>? EventsSupported { get; init; }

    /// <summary>The delivery method URI (push or poll).</summary>
    public string? DeliveryMethod { get; init; }

    /// <summary>The push receiver's or the poll endpoint's URL.</summary>
    public string? DeliveryEndpointUrl { get; init; }

    /// <summary>The shortest time between verification requests the transmitter accepts, in seconds.</summary>
    public int? MinVerificationInterval { get; init; }

    /// <summary>
    /// Reads and checks an answer. Its <c>stream_id</c> is returned even when something else is wrong,
    /// so that a stream created with a defective answer can still be deleted again.
    /// </summary>
    /// <param name="answer">The answer's JSON.</param>
    /// <param name="issuer">The transmitter's issuer, which <c>iss</c> must equal.</param>
    /// <returns>The configuration when it passed, its <c>stream_id</c> when it had one, and every problem found.</returns>
    public static (StreamConfiguration? Stream, string? StreamId, List<string> Errors) Read(JsonNode? answer, string issuer)
    {
        if (answer is not JsonObject)
        {
            return (null, null, ["the answer is not a stream configuration object"]);
        }

        using var document = JsonDocument.Parse(answer.ToJsonString());
        return Read(document.RootElement, issuer);
    }

    /// <inheritdoc cref="Read(JsonNode?, string)"/>
    public static (StreamConfiguration? Stream, string? StreamId, List<string> Errors) Read(JsonElement root, string issuer)
    {
        var errors = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null, ["the answer is not a stream configuration object"]);
        }

        var streamId = String(root, "stream_id");
        if (string.IsNullOrEmpty(streamId))
        {
            errors.Add("stream_id is missing");
        }

        // SSF 1.0 §8.1.1.1: the receiver MUST check that iss is the issuer it discovered.
        var iss = String(root, "iss");
        if (iss != issuer)
        {
            errors.Add($"iss is '{iss}', not the issuer '{issuer}'");
        }

        // RFC 7519 §4.1.3: aud is one string or an array of them.
        var audience = Strings(root, "aud", allowSingle: true);
        if (audience is not { Count: > 0 })
        {
            errors.Add("aud is missing");
        }

        var delivered = Strings(root, "events_delivered", allowSingle: false);
        if (delivered is null)
        {
            errors.Add("events_delivered is missing");
        }

        string? method = null;
        string? endpoint = null;
        if (root.TryGetProperty("delivery", out var delivery) && delivery.ValueKind == JsonValueKind.Object)
        {
            method = String(delivery, "method");
            endpoint = String(delivery, "endpoint_url");
        }
        else
        {
            errors.Add("delivery is missing");
        }

        int? interval = root.TryGetProperty("min_verification_interval", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var seconds) && seconds >= 0
            ? seconds
            : null;
        if (errors.Count > 0)
        {
            return (null, string.IsNullOrEmpty(streamId) ? null : streamId, errors);
        }

        return (new StreamConfiguration
        {
            StreamId = streamId!,
            Audience = audience!,
            EventsDelivered = delivered!,
            EventsSupported = Strings(root, "events_supported", allowSingle: false),
            DeliveryMethod = method,
            DeliveryEndpointUrl = endpoint,
            MinVerificationInterval = interval,
        }, streamId, errors);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string>? Strings(JsonElement element, string name, bool allowSingle)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (allowSingle && value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : null;
    }
}
