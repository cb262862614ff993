using System.Security.Claims;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Publishing;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Real-time delivery (docs/API.md, "Real time"): <c>GET /ws</c>,
/// <c>POST /broadcast</c> (notiflux's body) and <c>GET /ssf/sse/{stream_id}</c> (Server-Sent Events).
/// Each checks its own token, so none sits behind an authorization policy.
/// </summary>
internal static partial class RealtimeEndpoints
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", WebSocket);
        app.MapPost("/broadcast", Broadcast);
        app.MapGet("/ssf/sse/{streamId}", ServerSentEvents);
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
        TimeProvider time,
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
        var connection = new RealtimeConnection(socket, options.Value.SendBufferFrames, time, logger);
        using var session = new WebSocketSession(socket, connection, topics, topicTokens, access, limits, deliveries, signals, catalog, options, time, logger);
        await session.RunAsync(context.RequestAborted);
        return TypedResults.Empty;
    }

    /// <summary>
    /// notiflux's broadcast: <c>{"topic", "message", "token"}</c> with a token of scope <c>broadcast</c>
    /// for the topic. With <c>"event"</c> (the body of <c>POST /events</c>) the broadcast is also
    /// published as a SET: that needs the caller's own right to publish into a project
    /// (<c>Authorization: Bearer</c> with <c>event.publish</c>, the project being the token's, or for
    /// the admin <c>?project=</c>, exactly as for <c>POST /events</c>), because a topic token names
    /// topics, never projects. The SET is on disk and routed before the message goes out; a refused
    /// event relays nothing. Without a <c>message</c>, subscribers get the signed SET itself.
    /// </summary>
    private static async Task<IResult> Broadcast(
        HttpRequest request,
        HttpResponse response,
        ClaimsPrincipal caller,
        TopicHub topics,
        TopicTokenValidator topicTokens,
        EventPublisher publisher,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var topic = body.String("topic");
        var token = body.String("token");
        var message = body.String("message");
        var securityEvent = body.Object("event");
        var required = new List<(string Name, string? Value)> { ("topic", topic), ("token", token) };
        if (securityEvent is null)
        {
            required.Add(("message", message));
        }

        foreach (var (name, value) in required.Where(r => r.Value is null && !body.Errors.Any(e => e.StartsWith(r.Name + " ", StringComparison.Ordinal))))
        {
            body.Errors.Add(name == "message" ? "message is required and must be a string (or event, to publish a SET)" : $"{name} is required and must be a string");
        }

        if (body.Errors.Count > 0)
        {
            return Problems.BadRequest(string.Join("; ", body.Errors), body.Errors);
        }

        var logger = loggers.CreateLogger(typeof(RealtimeEndpoints).FullName!);
        var (verified, error) = await topicTokens.ValidateAsync(token, TopicScopes.Broadcast, topic!, cancellationToken);
        if (verified is null)
        {
            LogBroadcastRefused(logger, topic!, error!.Code);
            return Refuse(error);
        }

        string? jti = null;
        int? streams = null;
        if (securityEvent is { } eventBody)
        {
            // RFC 6750 §3.1: no credential is a plain challenge, a bad one invalid_token (the bearer
            // handler has already read it); a good one without event.publish is 403.
            if (caller.Identity?.IsAuthenticated != true)
            {
                LogBroadcastRefused(logger, topic!, "no publish credential");
                return TypedResults.Challenge();
            }

            if (!caller.IsAdmin() && !caller.HasScope(Scopes.Publish))
            {
                LogBroadcastRefused(logger, topic!, RealtimeErrors.InsufficientScope);
                response.Headers.WWWAuthenticate = BearerChallenge.InsufficientScope(Scopes.Publish);
                return Problems.Forbidden($"Publishing the broadcast's event needs the {Scopes.Publish} scope.");
            }

            var outcome = await publisher.PublishAsync(JsonBody.Of(eventBody), PublishEndpoints.ProjectOf(caller, request), cancellationToken);
            if (outcome.Jti is null)
            {
                return PublishEndpoints.Refusal(outcome with { Errors = [.. outcome.Errors.Select(e => "event: " + e)] }, response);
            }

            jti = outcome.Jti;
            streams = outcome.Streams;
            message ??= outcome.Token;
        }

        BroadcastResponse relayed;
        try
        {
            relayed = await topics.PublishAsync(topic!, message!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // On a cluster the message's id comes from the database, which may be away for a moment.
            LogBroadcastFailed(logger, ex, topic!);
            response.Headers.RetryAfter = "1";
            return Problems.ServiceUnavailable(jti is null
                ? "The message could not be relayed now; send it again shortly."
                : $"The event was published as SET {jti}, but the message could not be relayed now; send the message again without the event.");
        }

        return TypedResults.Json(relayed with { Jti = jti, Streams = streams }, RealtimeJsonContext.Default.BroadcastResponse);
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
        IDeliveryStore deliveries,
        StreamSignals signals,
        StreamCatalog catalog,
        IOptions<RealtimeOptions> options,
        TimeProvider time)
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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Value.EnforceExpiryOnLiveConnections && grant.ExpiresAt is { } expiresAt)
        {
            stop.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (expiresAt - time.GetUtcNow()).Ticks)));
        }

        var outbox = Channel.CreateBounded<string>(options.Value.SendBufferFrames);
        var writer = WriteEventsAsync(response, outbox.Reader, TimeSpan.FromSeconds(options.Value.KeepAliveSeconds), stop.Token);
        try
        {
            // A client too slow for the buffer loses its response and resumes with Last-Event-ID.
            var end = await feed.RunAsync(frame => outbox.Writer.TryWrite(SetEvent(frame)), stopWhenWindowFull: true, stop.Token);
            if (end is not null)
            {
                outbox.Writer.TryWrite("event: error\ndata: " + JsonSerializer.Serialize(new ErrorFrame(end.Code, end.Description, streamId), RealtimeJsonContext.Default.ErrorFrame) + "\n\n");
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or its token expired.
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

    private static IResult Refuse(RealtimeError error) => error.Code switch
    {
        // RFC 6750 §3.1: a bad token is 401 with invalid_token; a good one without the right to it is 403.
        RealtimeErrors.InvalidToken => new BearerRefusal(StatusCodes.Status401Unauthorized, error),
        RealtimeErrors.InsufficientScope => new BearerRefusal(StatusCodes.Status403Forbidden, error),
        RealtimeErrors.NotFound => Problems.NotFound(error.Description),
        RealtimeErrors.StreamDisabled => Problems.Conflict(error.Description),
        _ => Problems.BadRequest(error.Description),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcast to topic {Topic} could not be relayed")]
    private static partial void LogBroadcastFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast to topic {Topic} refused: {Error}")]
    private static partial void LogBroadcastRefused(ILogger logger, string topic, string error);
}
