using System.Text.Json.Serialization;

namespace SharpSignals.Server.StreamApi;

/// <summary>A newly issued stream credential, as the Authorization header to send, and where to send it.</summary>
internal sealed record StreamCredentialResponse(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("authorization_header")] string AuthorizationHeader,
    [property: JsonPropertyName("endpoint_url")] string? EndpointUrl);
