using System.Text.Json.Serialization;

namespace SharpSignals.Receiver.Transmitter;

/// <summary>The members of the transmitter configuration metadata (SSF 1.0 §7.1) this receiver uses.</summary>
internal sealed record TransmitterMetadata
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

    [JsonPropertyName("verification_endpoint")]
    public string? VerificationEndpoint { get; init; }
}

[JsonSerializable(typeof(TransmitterMetadata))]
[JsonSerializable(typeof(StreamAnswer))]
internal sealed partial class TransmitterJsonContext : JsonSerializerContext;
