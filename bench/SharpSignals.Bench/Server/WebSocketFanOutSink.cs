using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The bare Kestrel WebSocket fan-out ceiling: <c>GET /ws</c> accepts a WebSocket and counts it as a
/// subscriber whatever it sends; <c>POST /broadcast</c> reads the JSON body and queues its
/// <c>message</c> on every connection (a bounded buffer and one sender each, as the server does), with
/// no tokens, topics, retention or signing. The load run starts it as a child process
/// (<c>load-ws-sink --port N</c>) with the server's GC settings.
/// </summary>
internal static class WebSocketFanOutSink
{
    public const string Mode = "load-ws-sink";

    private const int BufferFrames = 1024;

    private static readonly ConcurrentDictionary<Channel<byte[]>, byte> Subscribers = new();

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args is not ["--port", var portText] || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            await Console.Error.WriteLineAsync($"usage: {Mode} --port N");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/healthz", () => TypedResults.Ok());
        app.Map("/ws", (RequestDelegate)SubscribeAsync);
        app.MapPost("/broadcast", (RequestDelegate)BroadcastAsync);
        await app.RunAsync();
        return 0;
    }

    private static async Task SubscribeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(BufferFrames) { SingleReader = true });
        Subscribers[outbox] = 0;
        var sender = SendAsync(socket, outbox.Reader);
        try
        {
            var buffer = new byte[4096];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client left.
        }
        finally
        {
            Subscribers.TryRemove(outbox, out _);
            outbox.Writer.TryComplete();
            await sender;
        }
    }

    private static async Task SendAsync(WebSocket socket, ChannelReader<byte[]> outbox)
    {
        try
        {
            await foreach (var frame in outbox.ReadAllAsync())
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The client left.
        }
    }

    private static async Task BroadcastAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var message = Encoding.UTF8.GetBytes(body.RootElement.GetProperty("message").GetString() ?? "");
        var reached = 0;
        foreach (var outbox in Subscribers.Keys)
        {
            if (outbox.Writer.TryWrite(message))
            {
                reached++;
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $$"""{"subscribers":{{reached}}}"""), context.RequestAborted);
    }
}
