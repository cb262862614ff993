using System.Text.Json.Serialization;

namespace SharpSignals.Receiver.Transmitter;

[JsonSerializable(typeof(StreamAnswer))]
internal sealed partial class TransmitterJsonContext : JsonSerializerContext;
