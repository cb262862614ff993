using System.Text;
using System.Text.Json;

namespace SharpSignals.Server.Realtime;

/// <summary>The frames a <see cref="WebSocketSession"/> sends, through the connection's bounded buffer.</summary>
internal sealed class FrameSender(RealtimeConnection connection)
{
    /// <summary>notiflux's answers to its commands are plain text.</summary>
    public void Text(string text) => connection.TrySend(Encoding.UTF8.GetBytes(text));

    public void Error(RealtimeError error, string? streamId = null, string? topic = null) =>
        connection.TrySend(JsonSerializer.SerializeToUtf8Bytes(new ErrorFrame(error.Code, error.Description, streamId, topic), RealtimeJsonContext.Default.ErrorFrame));

    public void Subscribed(string? topic, string? streamId, long? lastId) =>
        connection.TrySend(JsonSerializer.SerializeToUtf8Bytes(new SubscribedFrame(topic, streamId, lastId), RealtimeJsonContext.Default.SubscribedFrame));

    /// <summary>False when the buffer is full.</summary>
    public bool Set(SetFrame frame) => connection.TrySend(JsonSerializer.SerializeToUtf8Bytes(frame, RealtimeJsonContext.Default.SetFrame));
}
