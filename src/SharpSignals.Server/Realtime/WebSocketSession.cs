using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// One client on <c>GET /ws</c>: notiflux's text commands (<c>/subscribe &lt;topic&gt; &lt;token&gt;</c>,
/// <c>/unsubscribe &lt;topic&gt;</c>, <c>/unsubscribe-all</c>) and JSON frames for topics and
/// streams (docs/API.md). The read loop (<see cref="WebSocketMessages"/>) handles one message at a
/// time; this type dispatches it and holds the topics, <see cref="SessionStreams"/> the streams, and
/// <see cref="SessionSubscriptions"/> what both count against the token limits. Frames go out
/// through the connection's bounded buffer (<see cref="FrameSender"/>).
/// </summary>
internal sealed partial class WebSocketSession : IDisposable
{
    private readonly WebSocket _socket;
    private readonly RealtimeConnection _connection;
    private readonly TopicHub _topics;
    private readonly TopicTokenValidator _topicTokens;
    private readonly IOptions<RealtimeOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionSubscriptions _subscriptions;
    private readonly FrameSender _send;
    private readonly SessionStreams _streams;
    private readonly CancellationTokenSource _stop = new();

    public WebSocketSession(
        WebSocket socket,
        RealtimeConnection connection,
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
        ILogger logger)
    {
        _socket = socket;
        _connection = connection;
        _topics = topics;
        _topicTokens = topicTokens;
        _options = options;
        _time = time;
        _logger = logger;
        _subscriptions = new SessionSubscriptions(limits, options, metrics);
        _send = new FrameSender(connection);
        _streams = new SessionStreams(connection, _subscriptions, _send, access, deliveries, signals, catalog, options, time, logger);
    }

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _stop.Token);
        var writer = _connection.RunWriterAsync(requestAborted);
        var expiry = WatchExpiryAsync(linked.Token);
        try
        {
            await WebSocketMessages.ReadAsync(_socket, _connection, _options.Value.MaxMessageBytes, HandleAsync, requestAborted);
        }
        finally
        {
            await _stop.CancelAsync();
            _connection.Complete();
            await _streams.StoppedAsync();
            await writer;
            await expiry;
            _subscriptions.ReleaseAll(topic => _topics.Unsubscribe(topic, _connection));
        }
    }

    public void Dispose() => _stop.Dispose();

    private Task HandleAsync(string text, CancellationToken cancellationToken)
    {
        if (text.StartsWith('/'))
        {
            return HandleCommandAsync(text, cancellationToken);
        }

        // notiflux ignores anything that is not a command; JSON frames are this server's own.
        return text.StartsWith('{') ? HandleFrameAsync(text, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>notiflux's commands; the answers are plain text, as notiflux's are.</summary>
    private async Task HandleCommandAsync(string text, CancellationToken cancellationToken)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (parts[0])
        {
            case "/subscribe" when parts.Length is 3 or 4:
                // Beyond notiflux: an optional fourth word, the id of the last message seen.
                long? since = parts.Length == 4 && long.TryParse(parts[3], out var s) ? s : null;
                if (await SubscribeTopicAsync(parts[1], parts[2], since, signed: false, cancellationToken) is { } error)
                {
                    _send.Text($"error: {error.Code}: {error.Description}");
                }

                break;
            case "/subscribe":
                _send.Text("Invalid subscribe command, it should be: /subscribe <topic> <token>");
                break;
            case "/unsubscribe" when parts.Length == 2:
                UnsubscribeTopic(parts[1]);
                break;
            case "/unsubscribe-all":
                foreach (var topic in _subscriptions.TopicNames())
                {
                    UnsubscribeTopic(topic);
                }

                break;
            default:
                _send.Text("Unknown command");
                break;
        }
    }

    private async Task HandleFrameAsync(string text, CancellationToken cancellationToken)
    {
        var (frame, invalid) = ClientFrame.Parse(text);
        if (frame is null)
        {
            _send.Error(invalid!);
            return;
        }

        var type = frame.Type;
        var streamId = frame.StreamId;
        var topic = frame.Topic;
        switch (type)
        {
            case FrameTypes.Subscribe when streamId is not null:
                await _streams.SubscribeAsync(streamId, frame.String("token"), frame.Int64("after"), _stop.Token, cancellationToken);
                break;
            case FrameTypes.Subscribe when topic is not null:
                if (await SubscribeTopicAsync(topic, frame.String("token"), frame.Int64("since"), signed: true, cancellationToken) is { } error)
                {
                    _send.Error(error, topic: topic);
                }

                break;
            case FrameTypes.Unsubscribe when streamId is not null:
                await _streams.UnsubscribeAsync(streamId);
                break;
            case FrameTypes.Unsubscribe when topic is not null:
                UnsubscribeTopic(topic);
                break;
            case FrameTypes.Ack when streamId is not null:
                await _streams.AcknowledgeAsync(streamId, frame, cancellationToken);
                break;
            case FrameTypes.Subscribe or FrameTypes.Unsubscribe or FrameTypes.Ack:
                _send.Error(RealtimeErrors.Request($"A {type} frame needs {(type == FrameTypes.Ack ? "stream_id" : "stream_id or topic")}."));
                break;
            default:
                _send.Error(RealtimeErrors.Request($"Unknown frame type '{type}'."));
                break;
        }
    }

    private async Task<RealtimeError?> SubscribeTopicAsync(string topic, string? token, long? since, bool signed, CancellationToken cancellationToken)
    {
        var (verified, error) = await _topicTokens.ValidateAsync(token, TopicScopes.Subscribe, topic, cancellationToken);
        if (verified is null)
        {
            RealtimeLog.Refused(_logger, _connection.Id, topic, error!.Code);
            return error;
        }

        if (_subscriptions.AddTopic(topic, token!, verified.ExpiresAt) is { } limit)
        {
            return limit;
        }

        long last;
        try
        {
            last = await _topics.SubscribeAsync(topic, new TopicSubscriber(_connection, signed), since, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // On a cluster the topic's place is read from the database, which may be away for a moment.
            UnsubscribeTopic(topic);
            LogTopicUnavailable(_logger, ex, _connection.Id, topic);
            return RealtimeErrors.Unavailable("The topic cannot be read now; subscribe again shortly.");
        }

        if (signed)
        {
            _send.Subscribed(topic, null, last);
        }

        return null;
    }

    private void UnsubscribeTopic(string topic)
    {
        _topics.Unsubscribe(topic, _connection);
        _subscriptions.RemoveTopic(topic);
    }

    /// <summary>Closes the connection when a token it subscribed with expires (checked every second).</summary>
    private async Task WatchExpiryAsync(CancellationToken cancellationToken)
    {
        if (!_options.Value.EnforceExpiryOnLiveConnections)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                if (_subscriptions.AnyExpired(_time.GetUtcNow()))
                {
                    _connection.Close(RealtimeConnection.PolicyViolation, "token expired: subscribe again with a new token");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Realtime connection {ConnectionId} could not subscribe to topic {Topic}")]
    private static partial void LogTopicUnavailable(ILogger logger, Exception exception, string connectionId, string topic);
}
