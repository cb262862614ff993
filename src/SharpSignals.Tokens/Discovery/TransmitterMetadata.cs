using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Discovery;

/// <summary>
/// The members of a transmitter's configuration metadata (SSF 1.0 §7.1, at
/// <c>/.well-known/ssf-configuration</c>) that a receiver acts on. Every member is optional in the
/// document; the receiver decides which it needs.
/// </summary>
public sealed record TransmitterMetadata
{
    /// <summary>The transmitter's issuer; a receiver checks it equals the URL the document was read for.</summary>
    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    /// <summary>Where the transmitter publishes the keys its SETs are signed with.</summary>
    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    /// <summary>The delivery method URIs the transmitter offers (push, poll).</summary>
    [JsonPropertyName("delivery_methods_supported")]
    public IReadOnlyList<string>? DeliveryMethodsSupported { get; init; }

    /// <summary>The stream configuration endpoint (SSF 1.0 §8.1.1).</summary>
    [JsonPropertyName("configuration_endpoint")]
    public string? ConfigurationEndpoint { get; init; }

    /// <summary>The stream status endpoint (SSF 1.0 §8.1.2).</summary>
    [JsonPropertyName("status_endpoint")]
    public string? StatusEndpoint { get; init; }

    /// <summary>The endpoint that adds a subject to a stream (SSF 1.0 §8.1.3.2).</summary>
    [JsonPropertyName("add_subject_endpoint")]
    public string? AddSubjectEndpoint { get; init; }

    /// <summary>The endpoint that removes a subject from a stream (SSF 1.0 §8.1.3.3).</summary>
    [JsonPropertyName("remove_subject_endpoint")]
    public string? RemoveSubjectEndpoint { get; init; }

    /// <summary>The endpoint that asks for a verification event (SSF 1.0 §8.1.4.2).</summary>
    [JsonPropertyName("verification_endpoint")]
    public string? VerificationEndpoint { get; init; }

    /// <summary>Reads a metadata document; unknown members are ignored.</summary>
    /// <param name="json">The document.</param>
    /// <returns>The metadata, or <see langword="null"/> for a JSON <c>null</c>.</returns>
    /// <exception cref="JsonException">The document is not a JSON object of this shape.</exception>
    public static TransmitterMetadata? Parse(string json) =>
        JsonSerializer.Deserialize(json, TransmitterMetadataJsonContext.Default.TransmitterMetadata);
}

[JsonSerializable(typeof(TransmitterMetadata))]
internal sealed partial class TransmitterMetadataJsonContext : JsonSerializerContext;
