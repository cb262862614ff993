using System.Text.Json.Serialization;
using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver.State;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, ReceiverStreamRecord>))]
[JsonSerializable(typeof(SubjectSecurityState))]
[JsonSerializable(typeof(IReadOnlyList<SubjectSecurityState>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ReceiverJsonContext : JsonSerializerContext;
