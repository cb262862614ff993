using System.Text.Json.Serialization;

namespace SharpSignals.Client;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(PublishResult))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
