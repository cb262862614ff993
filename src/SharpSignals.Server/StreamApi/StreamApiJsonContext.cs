using System.Text.Json.Serialization;

namespace SharpSignals.Server.StreamApi;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StreamStatusResponse))]
[JsonSerializable(typeof(StreamCredentialResponse))]
internal sealed partial class StreamApiJsonContext : JsonSerializerContext;
