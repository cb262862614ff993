using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Server.Streams;

/// <summary>
/// An outbound stream's <c>encryption</c> member (docs/API.md, "Encrypted SETs"): every SET is signed,
/// then encrypted to the receiver's public key as a nested JWT (RFC 7519 §11.2, <c>cty: JWT</c>). The
/// key is given inline (<c>jwk</c>) or found at <c>jwks_uri</c> when the stream is created or updated;
/// either way the public key used is stored with the stream, so routing never waits for the network.
/// Public keys only: nothing here is secret.
/// </summary>
internal sealed record StreamEncryption
{
    /// <summary>Where the receiver publishes its keys; one with <c>use: enc</c> that fits <see cref="Algorithm"/> is used.</summary>
    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    /// <summary>The receiver's public key with <c>use: enc</c>, given inline (stored with its public members only).</summary>
    [JsonPropertyName("jwk")]
    public JsonElement? Jwk { get; init; }

    /// <summary>The JWE key management algorithm (RFC 7516 §4.1.1 <c>alg</c>).</summary>
    [JsonPropertyName("alg")]
    public required string Algorithm { get; init; }

    /// <summary>The JWE content encryption algorithm (RFC 7516 §4.1.2 <c>enc</c>).</summary>
    [JsonPropertyName("enc")]
    public required string ContentEncryption { get; init; }

    /// <summary>The key taken from <see cref="JwksUri"/> when the stream was last created or updated (public members only).</summary>
    [JsonPropertyName("jwks_key")]
    public JsonElement? JwksKey { get; init; }

    /// <summary>Reads the key SETs are encrypted to (routing keeps it per stream version: <c>StreamRoute.EncryptionKey</c>).</summary>
    public JsonWebKey ReadRecipientKey() => new((JwksKey ?? Jwk)?.GetRawText()
        ?? throw new InvalidOperationException("The stream's encryption has no key."));

    /// <summary>The key type an algorithm needs: RSA for RSA-OAEP and RSA-OAEP-256, EC for the ECDH-ES family (RFC 7518 §4.3, §4.6).</summary>
    public static string? KeyTypeFor(string algorithm) =>
        algorithm.StartsWith("RSA-OAEP", StringComparison.Ordinal) ? JsonWebAlgorithmsKeyTypes.RSA
        : algorithm.StartsWith("ECDH-ES", StringComparison.Ordinal) ? JsonWebAlgorithmsKeyTypes.EllipticCurve
        : null;
}
