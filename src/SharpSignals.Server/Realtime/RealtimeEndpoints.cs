using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Real-time delivery (docs/API.md, "Real time"): <c>GET /ws</c>,
/// <c>POST /broadcast</c> (notiflux's body) and <c>GET /ssf/sse/{stream_id}</c> (Server-Sent Events).
/// Each checks its own token, so none sits behind an authorization policy.
/// </summary>
internal static class RealtimeEndpoints
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        // Any method reaches the WebSocket handler (an HTTP/2 WebSocket is a CONNECT, RFC 8441); the document shows GET.
        app.Map("/ws", WebSocket)
            .Produces(StatusCodes.Status101SwitchingProtocols).ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapPost("/broadcast", BroadcastEndpoint.HandleAsync)
            .Reads<BroadcastBody>().Produces<BroadcastResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        app.MapGet("/ssf/sse/{streamId}", ServerSentEvents)
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream").ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> WebSocket(
        HttpContext context,
        TopicHub topics,
        TopicTokenValidator topicTokens,
        StreamAccess access,
        TokenLimits limits,
        IDeliveryStore deliveries,
        StreamSignals signals,
        StreamCatalog catalog,
        IOptions<RealtimeOptions> options,
        ServerMetrics metrics,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.BadRequest("GET /ws is a WebSocket endpoint (RFC 6455).");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            // RFC 6455 §5.5.2: pings keep idle connections open through proxies and find dead peers.
            KeepAliveInterval = TimeSpan.FromSeconds(options.Value.KeepAliveSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(options.Value.KeepAliveSeconds),
        });
        var logger = loggers.CreateLogger(typeof(RealtimeEndpoints).FullName!);
        var connection = new RealtimeConnection(socket, options.Value.SendBufferFrames, metrics, time, logger);
        using var session = new WebSocketSession(socket, connection, topics, topicTokens, access, limits, deliveries, signals, catalog, options, metrics, time, logger);

        // RFC 6455 §7.4.1 1001: the server is going away; the client reconnects to another node and resumes.
        using var goingAway = lifetime.ApplicationStopping.Register(() => connection.Close(RealtimeConnection.GoingAway, "server shutting down: reconnect and resume"));
        metrics.RealtimeConnections(RealtimeTransports.WebSocket, 1);
        try
        {
            await session.RunAsync(context.RequestAborted);
        }
        finally
        {
            metrics.RealtimeConnections(RealtimeTransports.WebSocket, -1);
        }

        return TypedResults.Empty;
    }

    /// <summary>
    /// A stream's SETs as Server-Sent Events: <c>event: set</c>, <c>id: &lt;position&gt;</c>, and the
    /// set frame as data. <c>Last-Event-ID</c> acknowledges everything up to that position, so a
    /// reconnecting EventSource resumes right after it. When the unacknowledged window is full the
    /// response ends, and the client's reconnect acknowledges what it got.
    /// </summary>
    private static async Task<IResult> ServerSentEvents(
        string streamId,
        HttpContext context,
        StreamAccess access,
        TokenLimits limits,
        IDeliveryStore deliveries,
        StreamSignals signals,
        StreamCatalog catalog,
        IOptions<RealtimeOptions> options,
        ServerMetrics metrics,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        var cancellationToken = context.RequestAborted;
        var (grant, error) = await access.AuthorizeAsync(BearerTokenHandler.BearerToken(context.Request), streamId, cancellationToken);
        if (grant is null)
        {
            return Refuse(error!);
        }

        long? lastEventId = null;
        if (context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header)
        {
            if (!long.TryParse(header, out var parsed))
            {
                return Problems.BadRequest("Last-Event-ID must be a position sent by this stream.");
            }

            lastEventId = parsed;
        }

        // Counted with the caller's WebSocket connections, before anything is acknowledged: a refused
        // response changes nothing.
        using var connection = limits.TryEnterConnection(grant.CounterKey);
        if (!connection.Entered)
        {
            return limits.SseConnectionsReached().ToResult();
        }

        using var feed = new StreamFeed(streamId, deliveries, signals, catalog, access, time, options.Value.MaxUnacknowledged);
        if (lastEventId is { } position)
        {
            await feed.AcknowledgeAsync([], position, cancellationToken);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 1000\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);

        // A server shutting down ends the response, which is how an event stream closes; the
        // EventSource reconnects after `retry` (to another node) and resumes with Last-Event-ID.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        if (options.Value.EnforceExpiryOnLiveConnections && grant.ExpiresAt is { } expiresAt)
        {
            stop.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (expiresAt - time.GetUtcNow()).Ticks)));
        }

        var outbox = Channel.CreateBounded<string>(options.Value.SendBufferFrames);
        var writer = WriteEventsAsync(response, outbox.Reader, TimeSpan.FromSeconds(options.Value.KeepAliveSeconds), stop.Token);
        metrics.RealtimeConnections(RealtimeTransports.Sse, 1);
        metrics.RealtimeSubscriptions("stream", 1);
        try
        {
            // A client too slow for the buffer loses its response and resumes with Last-Event-ID.
            var end = await feed.RunAsync(
                frame =>
                {
                    var queued = outbox.Writer.TryWrite(SetEvent(frame));
                    metrics.RealtimeMessage(RealtimeTransports.Sse, queued);
                    return queued;
                },
                stopWhenWindowFull: true,
                stop.Token);
            if (end is not null)
            {
                outbox.Writer.TryWrite("event: error\ndata: " + JsonSerializer.Serialize(new ErrorFrame(end.Code, end.Description, streamId), RealtimeJsonContext.Default.ErrorFrame) + "\n\n");
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, its token expired, or the server is shutting down.
        }
        finally
        {
            metrics.RealtimeSubscriptions("stream", -1);
            metrics.RealtimeConnections(RealtimeTransports.Sse, -1);
        }

        outbox.Writer.TryComplete();
        await writer;
        return TypedResults.Empty;
    }

    private static string SetEvent(SetFrame frame) =>
        $"event: set\nid: {frame.Position}\ndata: {JsonSerializer.Serialize(frame, RealtimeJsonContext.Default.SetFrame)}\n\n";

    private static async Task WriteEventsAsync(HttpResponse response, ChannelReader<string> events, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var ping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                ping.CancelAfter(keepAlive);
                bool more;
                try
                {
                    more = await events.WaitToReadAsync(ping.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // A comment line keeps proxies from closing an idle stream.
                    await response.WriteAsync(": ping\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (events.TryRead(out var text))
                {
                    await response.WriteAsync(text, cancellationToken);
                }

                await response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or its token expired.
        }
    }

    /// <summary>A refused token or request, as an HTTP answer.</summary>
    public static IResult Refuse(RealtimeError error) => error.Code switch
    {
        // RFC 6750 §3.1: a bad token is 401 with invalid_token; a good one without the right to it is 403.
        RealtimeErrors.InvalidToken => new BearerRefusal(StatusCodes.Status401Unauthorized, error),
        RealtimeErrors.InsufficientScope => new BearerRefusal(StatusCodes.Status403Forbidden, error),
        RealtimeErrors.NotFound => Problems.NotFound(error.Description),
        RealtimeErrors.StreamDisabled => Problems.Conflict(error.Description),
        _ => Problems.BadRequest(error.Description),
    };
}
