using System.Text.Json.Serialization;

namespace SharpSignals.Server.Streams;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StreamConfiguration))]
[JsonSerializable(typeof(StreamConfiguration[]))]
internal sealed partial class StreamJsonContext : JsonSerializerContext;
