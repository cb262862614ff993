using System.Text.Json.Serialization;

namespace SharpSignals.Server.Inbound;

/// <summary>The members of a transmitter's configuration metadata (SSF 1.0 §7.1) that this server uses.</summary>
internal sealed record SourceMetadata
{
    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    [JsonPropertyName("delivery_methods_supported")]
    public IReadOnlyList<string>? DeliveryMethodsSupported { get; init; }

    [JsonPropertyName("configuration_endpoint")]
    public string? ConfigurationEndpoint { get; init; }

    [JsonPropertyName("status_endpoint")]
    public string? StatusEndpoint { get; init; }

    [JsonPropertyName("add_subject_endpoint")]
    public string? AddSubjectEndpoint { get; init; }

    [JsonPropertyName("remove_subject_endpoint")]
    public string? RemoveSubjectEndpoint { get; init; }

    [JsonPropertyName("verification_endpoint")]
    public string? VerificationEndpoint { get; init; }
}

[JsonSerializable(typeof(SourceMetadata))]
internal sealed partial class SourceJsonContext : JsonSerializerContext;
