using System.Text.Json.Serialization;

namespace SharpSignals.Server.Streams;

/// <summary>
/// A stream configuration object (SSF 1.0 §8.1.1) with this server's extensions (docs/API.md):
/// the shape that is stored and, without the push credential, returned.
/// </summary>
internal sealed record StreamConfiguration
{
    [JsonPropertyName("stream_id")]
    public required string StreamId { get; init; }

    [JsonPropertyName("iss")]
    public required string Issuer { get; init; }

    [JsonPropertyName("aud")]
    [JsonConverter(typeof(StringOrArrayConverter))]
    public required IReadOnlyList<string> Audience { get; init; }

    [JsonPropertyName("events_supported")]
    public required IReadOnlyList<string> EventsSupported { get; init; }

    [JsonPropertyName("events_requested")]
    public IReadOnlyList<string>? EventsRequested { get; init; }

    [JsonPropertyName("events_delivered")]
    public required IReadOnlyList<string> EventsDelivered { get; init; }

    [JsonPropertyName("delivery")]
    public required DeliveryConfiguration Delivery { get; init; }

    [JsonPropertyName("min_verification_interval")]
    public int? MinVerificationInterval { get; init; }

    [JsonPropertyName("inactivity_timeout")]
    public int? InactivityTimeout { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("direction")]
    public string Direction { get; init; } = StreamDirections.Outbound;

    [JsonPropertyName("route_mode")]
    public string RouteMode { get; init; } = RouteModes.Republish;

    [JsonPropertyName("project")]
    public required string Project { get; init; }

    /// <summary>Inbound streams only: where their SETs come from.</summary>
    [JsonPropertyName("source")]
    public SourceConfiguration? Source { get; init; }

    /// <summary>Outbound streams only: the receiver's key every SET is encrypted to, when it asks for encrypted SETs.</summary>
    [JsonPropertyName("encryption")]
    public StreamEncryption? Encryption { get; init; }

    [JsonIgnore]
    public bool IsInbound => Direction == StreamDirections.Inbound;
}
