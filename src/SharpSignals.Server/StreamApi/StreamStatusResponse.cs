using System.Text.Json.Serialization;

namespace SharpSignals.Server.StreamApi;

/// <summary>SSF 1.0 §8.1.2 status object.</summary>
internal sealed record StreamStatusResponse(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string? Reason);
