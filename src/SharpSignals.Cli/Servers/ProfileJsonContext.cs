using System.Text.Json.Serialization;

namespace SharpSignals.Cli.Servers;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServerList))]
[JsonSerializable(typeof(Dictionary<string, Credential>))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
