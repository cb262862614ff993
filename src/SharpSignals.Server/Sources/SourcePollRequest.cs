using System.Text.Json.Serialization;

namespace SharpSignals.Server.Sources;

/// <summary>
/// RFC 8936 §2.2: one poll of a source: how many SETs at most, whether to long-poll, and the
/// acknowledgements and errors for the SETs of earlier answers.
/// </summary>
internal sealed record SourcePollRequest(
    [property: JsonPropertyName("maxEvents")] int MaxEvents,
    [property: JsonPropertyName("returnImmediately")] bool ReturnImmediately,
    [property: JsonPropertyName("ack")] IReadOnlyCollection<string> Ack,
    [property: JsonPropertyName("setErrs")] IReadOnlyDictionary<string, PushError> SetErrs);

[JsonSerializable(typeof(SourcePollRequest))]
internal sealed partial class SourcePollJsonContext : JsonSerializerContext;
