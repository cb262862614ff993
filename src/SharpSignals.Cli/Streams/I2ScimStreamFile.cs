using System.Text.Json.Serialization;

namespace SharpSignals.Cli.Streams;

/// <summary>
/// The stream file an i2scim node reads at start-up (<c>scim.signals.pub.config.file</c> /
/// <c>scim.signals.rcv.config.file</c>): where to push or poll, the Authorization header to send,
/// the issuer and its keys, and the audience as one comma-separated string (i2scim reads it so).
/// </summary>
internal sealed record I2ScimStreamFile(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("iss")] string Iss,
    [property: JsonPropertyName("aud")] string Aud,
    [property: JsonPropertyName("issJwksUrl")] string IssJwksUrl);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(I2ScimStreamFile))]
internal sealed partial class StreamFileJsonContext : JsonSerializerContext;
