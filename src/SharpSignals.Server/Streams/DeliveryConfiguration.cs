using System.Text.Json.Serialization;

namespace SharpSignals.Server.Streams;

/// <summary>A stream's <c>delivery</c> member (SSF 1.0 §6.1).</summary>
internal sealed record DeliveryConfiguration
{
    [JsonPropertyName("method")]
    public required string Method { get; init; }

    [JsonPropertyName("endpoint_url")]
    public string? EndpointUrl { get; init; }

    /// <summary>Sent verbatim as the Authorization header of every push; encrypted at rest, never returned.</summary>
    [JsonPropertyName("authorization_header")]
    public string? AuthorizationHeader { get; init; }

    /// <summary>Instead of <see cref="AuthorizationHeader"/>: the receiver's token endpoint and client (push only).</summary>
    [JsonPropertyName("oauth")]
    public ReceiverOAuth? OAuth { get; init; }
}
