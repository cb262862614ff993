using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>A <see cref="ClientWebSocket"/> on a listening server's <c>/ws</c>, speaking text frames.</summary>
internal sealed class WsClient : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private Task<string?>? _pending;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public WebSocketState State => _socket.State;

    public static async Task<WsClient> ConnectAsync(string issuer)
    {
        var client = new WsClient();
        using var timeout = new CancellationTokenSource(Wait);
        await client._socket.ConnectAsync(new Uri(issuer.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws"), timeout.Token);
        return client;
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Wait);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>
    /// Sends a text command and returns once the server has handled it. notiflux's commands have no
    /// answer, but one connection's commands are handled in order and an unknown one is answered.
    /// </summary>
    public async Task CommandAsync(string command)
    {
        await SendTextAsync(command);
        await SendTextAsync("/sync");
        Assert.Equal("Unknown command", await ReceiveTextAsync());
    }

    /// <summary>The next text frame, or null when the server closed the connection.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? wait = null)
    {
        // A cancelled receive aborts a WebSocket, so a receive that outlives a wait is kept for the next call.
        _pending ??= ReadAsync();
        var pending = _pending;
        try
        {
            // WaitAsync gives up waiting without cancelling the receive itself.
            await pending.WaitAsync(wait ?? Wait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("No frame came in time.");
        }

        _pending = null;
        return await pending;
    }

    private async Task<string?> ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    public async Task<JsonObject> ReceiveJsonAsync()
    {
        var text = await ReceiveTextAsync();
        Assert.NotNull(text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Frames until one of <paramref name="type"/> comes (skipping others, such as <c>subscribed</c>).</summary>
    public async Task<JsonObject> ReceiveAsync(string type)
    {
        while (true)
        {
            var frame = await ReceiveJsonAsync();
            if ((string?)frame["type"] == type)
            {
                return frame;
            }
        }
    }

    /// <summary>Whether a frame comes within <paramref name="wait"/>.</summary>
    public async Task<string?> TryReceiveTextAsync(TimeSpan wait)
    {
        try
        {
            return await ReceiveTextAsync(wait);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        _socket.Dispose();
    }
}
