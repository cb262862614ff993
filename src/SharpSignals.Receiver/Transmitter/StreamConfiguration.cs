using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Receiver.Transmitter;

/// <summary>
/// A stream configuration object as the transmitter answered it (SSF 1.0 §8.1.1), with what a
/// receiver must check: <c>iss</c> is the discovered issuer, and <c>stream_id</c>, <c>aud</c>,
/// <c>events_delivered</c> and <c>delivery</c> are present.
/// </summary>
internal sealed record StreamConfiguration
{
    public required string StreamId { get; init; }

    public required IReadOnlyList<string> Audience { get; init; }

    public required IReadOnlyList<string> EventsDelivered { get; init; }

    public required string DeliveryMethod { get; init; }

    public string? DeliveryEndpointUrl { get; init; }

    /// <exception cref="TransmitterException">The answer lacks a required member or names another issuer.</exception>
    public static StreamConfiguration Read(string json, string issuer, string url)
    {
        StreamAnswer? answer;
        try
        {
            answer = JsonSerializer.Deserialize(json, TransmitterJsonContext.Default.StreamAnswer);
        }
        catch (JsonException ex)
        {
            throw new TransmitterException($"{url} answered something other than a stream configuration object: {ex.Message}", ex);
        }

        // RFC 7519 §4.1.3: aud is one string or an array of them.
        IReadOnlyList<string>? audience = answer?.Aud switch
        {
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String) => [.. many.EnumerateArray().Select(a => a.GetString()!)],
            _ => null,
        };
        var problems = new (bool Failed, string Problem)[]
        {
            (string.IsNullOrEmpty(answer?.StreamId), "stream_id is missing"),

            // SSF 1.0 §8.1.1.1: the receiver MUST check that iss is the transmitter's issuer.
            (answer?.Iss != issuer, $"iss is '{answer?.Iss}', not '{issuer}'"),
            (audience is not { Count: > 0 }, "aud is missing"),
            (answer?.EventsDelivered is null, "events_delivered is missing"),
            (answer?.Delivery?.Method is null, "delivery.method is missing"),
        }.Where(p => p.Failed).Select(p => p.Problem).ToList();
        if (problems.Count > 0)
        {
            throw new TransmitterException($"{url} answered a stream configuration this receiver cannot use: {string.Join("; ", problems)}.");
        }

        return new StreamConfiguration
        {
            StreamId = answer!.StreamId!,
            Audience = audience!,
            EventsDelivered = answer.EventsDelivered!,
            DeliveryMethod = answer.Delivery!.Method!,
            DeliveryEndpointUrl = answer.Delivery.EndpointUrl,
        };
    }
}

/// <summary>The wire shape of a stream configuration answer; every member optional until checked.</summary>
internal sealed record StreamAnswer(
    [property: JsonPropertyName("stream_id")] string? StreamId,
    [property: JsonPropertyName("iss")] string? Iss,
    [property: JsonPropertyName("aud")] JsonElement? Aud,
    [property: JsonPropertyName("events_delivered")] IReadOnlyList<string>? EventsDelivered,
    [property: JsonPropertyName("delivery")] DeliveryAnswer? Delivery);

/// <summary>SSF 1.0 §6.1: the stream's <c>delivery</c> object.</summary>
internal sealed record DeliveryAnswer(
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("endpoint_url")] string? EndpointUrl);
