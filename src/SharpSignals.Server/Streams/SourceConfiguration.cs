using System.Text.Json.Serialization;

namespace SharpSignals.Server.Streams;

/// <summary>
/// An inbound stream's <c>source</c> member (docs/API.md, "Inbound streams"): the transmitter its SETs
/// come from, where its keys are, and, when this server joined it as an SSF receiver, how to reach it.
/// </summary>
internal sealed record SourceConfiguration
{
    /// <summary>The transmitter's issuer; every SET on the stream must carry exactly this <c>iss</c>.</summary>
    [JsonPropertyName("issuer")]
    public required string Issuer { get; init; }

    /// <summary>Where the source's keys are; when absent, the <c>jwks_uri</c> of its discovery document.</summary>
    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    /// <summary>The source's stream configuration endpoint, for a stream this server created there.</summary>
    [JsonPropertyName("configuration_endpoint")]
    public string? ConfigurationEndpoint { get; init; }

    /// <summary>The credential for the source's management API (or its poll endpoint); encrypted at rest, never returned.</summary>
    [JsonPropertyName("authorization_header")]
    public string? AuthorizationHeader { get; init; }

    /// <summary>OAuth client credentials for the source's token endpoint, instead of a fixed credential.</summary>
    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    /// <summary>Encrypted at rest, never returned.</summary>
    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    /// <summary>The source's OAuth token endpoint for <see cref="ClientId"/>.</summary>
    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; init; }

    /// <summary>The source's status endpoint, from its discovery document, for a stream this server created there.</summary>
    [JsonPropertyName("status_endpoint")]
    public string? StatusEndpoint { get; init; }

    /// <summary>The source's verification endpoint, from its discovery document, for a stream this server created there.</summary>
    [JsonPropertyName("verification_endpoint")]
    public string? VerificationEndpoint { get; init; }

    /// <summary>The stream's id at the source, when this server created it there.</summary>
    [JsonPropertyName("stream_id")]
    public string? StreamId { get; init; }

    /// <summary>
    /// The <c>state</c> of the last verification this server requested from the source; a verification
    /// SET carrying another state is refused with <c>invalid_state</c> (SSF 1.0 §8.1.4.2).
    /// </summary>
    [JsonPropertyName("verification_state")]
    public string? VerificationState { get; init; }

    /// <summary>The stream's status at the source, as its last stream-updated event said (SSF 1.0 §8.1.5).</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>The reason the source gave with <see cref="Status"/>.</summary>
    [JsonPropertyName("status_reason")]
    public string? StatusReason { get; init; }

    /// <summary>
    /// Whether events received on this stream also reach the outbound streams of the client that owns
    /// it. By default they do not (docs/GUIDE.md, "No echo to the sender"): a client that sends its events in
    /// and takes the project's events out, as each node of an i2scim cluster does, gets every other
    /// client's events and never its own back. The retired <c>replica</c> member asked for that default;
    /// stored streams that carry it are read as they are, since it has no meaning any more.
    /// </summary>
    [JsonPropertyName("echo")]
    public bool Echo { get; init; }

    /// <summary>Whether this server joined the source as an SSF receiver (it holds a credential for its API).</summary>
    [JsonIgnore]
    public bool IsJoined => AuthorizationHeader is not null || ClientId is not null;
}
