using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace SharpSignals.Server.Realtime;

/// <summary>Reads a WebSocket's text messages one at a time, each whole and within the size limit (RFC 6455 §5.4: a message may come in fragments).</summary>
internal static class WebSocketMessages
{
    public static async Task ReadAsync(WebSocket socket, RealtimeConnection connection, int maxBytes, Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
                    buffer.Advance(result.Count);
                    if (buffer.WrittenCount > maxBytes)
                    {
                        connection.Close(WebSocketCloseStatus.MessageTooBig, $"frames are limited to {maxBytes} bytes");
                        return;
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    }

                    return;
                }

                if (result.MessageType == WebSocketMessageType.Text && !connection.IsClosing)
                {
                    await handle(Encoding.UTF8.GetString(buffer.WrittenSpan).Trim(), cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away or the server aborted it: its subscriptions end with the session.
        }
    }
}
