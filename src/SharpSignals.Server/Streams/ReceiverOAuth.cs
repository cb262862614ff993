using System.Text.Json.Serialization;

namespace SharpSignals.Server.Streams;

/// <summary>
/// A push stream's <c>delivery.oauth</c> member (docs/API.md, "Receivers whose tokens expire"): the receiver's own OAuth
/// token endpoint and the client this server is there, for a receiver that accepts only short-lived
/// bearer tokens. Each push sends an access token got by the client credentials grant (RFC 6749 §4.4)
/// instead of a fixed <c>authorization_header</c>.
/// </summary>
internal sealed record ReceiverOAuth
{
    /// <summary>The token endpoint; it passes the same outbound address rules as the push endpoint.</summary>
    [JsonPropertyName("token_endpoint")]
    public required string TokenEndpoint { get; init; }

    [JsonPropertyName("client_id")]
    public required string ClientId { get; init; }

    /// <summary>Encrypted at rest, never returned.</summary>
    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    /// <summary>The scope asked for; none when absent.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    /// <summary>RFC 6749 §2.3.1: <see cref="BasicAuthentication"/> (when absent) or <see cref="PostAuthentication"/>.</summary>
    [JsonPropertyName("token_endpoint_auth_method")]
    public string? TokenEndpointAuthMethod { get; init; }

    /// <summary>The client id and secret in HTTP Basic (RFC 7591 §2 names the methods).</summary>
    public const string BasicAuthentication = "client_secret_basic";

    /// <summary>The client id and secret in the form body.</summary>
    public const string PostAuthentication = "client_secret_post";

    /// <summary>The members a request may give, so that a misspelt one is named rather than ignored.</summary>
    public static readonly IReadOnlyList<string> Members = ["token_endpoint", "client_id", "client_secret", "scope", "token_endpoint_auth_method"];
}
