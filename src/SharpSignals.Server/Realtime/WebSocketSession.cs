using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// One client on <c>GET /ws</c>: notiflux's text commands (<c>/subscribe &lt;topic&gt; &lt;token&gt;</c>,
/// <c>/unsubscribe &lt;topic&gt;</c>, <c>/unsubscribe-all</c>) and JSON frames for topics and
/// streams (docs/API.md). The read loop handles one frame at a time; frames go out through the
/// connection's bounded buffer.
/// </summary>
internal sealed partial class WebSocketSession(
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
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Subscription> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamSubscription> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokensInUse = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _stop.Token);
        var writer = connection.RunWriterAsync(requestAborted);
        var expiry = WatchExpiryAsync(linked.Token);
        try
        {
            await ReadLoopAsync(requestAborted);
        }
        finally
        {
            await _stop.CancelAsync();
            connection.Complete();
            List<StreamSubscription> streams;
            lock (_gate)
            {
                streams = [.. _streams.Values];
            }

            await Task.WhenAll(streams.Select(s => s.Pump));
            await writer;
            await expiry;
            ReleaseAll();
        }
    }

    public void Dispose() => _stop.Dispose();

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var max = options.Value.MaxMessageBytes;
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
                    if (buffer.WrittenCount > max)
                    {
                        connection.Close(WebSocketCloseStatus.MessageTooBig, $"frames are limited to {max} bytes");
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
                    await HandleAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).Trim(), cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away or the server aborted it: its subscriptions end below.
        }
    }

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
                    SendText($"error: {error.Code}: {error.Description}");
                }

                break;
            case "/subscribe":
                SendText("Invalid subscribe command, it should be: /subscribe <topic> <token>");
                break;
            case "/unsubscribe" when parts.Length == 2:
                UnsubscribeTopic(parts[1]);
                break;
            case "/unsubscribe-all":
                foreach (var topic in TopicNames())
                {
                    UnsubscribeTopic(topic);
                }

                break;
            default:
                SendText("Unknown command");
                break;
        }
    }

    private async Task HandleFrameAsync(string text, CancellationToken cancellationToken)
    {
        JsonElement frame;
        try
        {
            using var document = JsonDocument.Parse(text);
            frame = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            SendError(RealtimeErrors.Request("The frame is not JSON."));
            return;
        }

        if (frame.ValueKind != JsonValueKind.Object)
        {
            SendError(RealtimeErrors.Request("The frame is not a JSON object."));
            return;
        }

        var type = String(frame, "type");
        var streamId = String(frame, "stream_id");
        var topic = String(frame, "topic");
        switch (type)
        {
            case FrameTypes.Subscribe when streamId is not null:
                await SubscribeStreamAsync(streamId, String(frame, "token"), Int64(frame, "after"), cancellationToken);
                break;
            case FrameTypes.Subscribe when topic is not null:
                var since = Int64(frame, "since");
                if (await SubscribeTopicAsync(topic, String(frame, "token"), since, signed: true, cancellationToken) is { } error)
                {
                    SendError(error, topic: topic);
                }

                break;
            case FrameTypes.Unsubscribe when streamId is not null:
                await UnsubscribeStreamAsync(streamId);
                break;
            case FrameTypes.Unsubscribe when topic is not null:
                UnsubscribeTopic(topic);
                break;
            case FrameTypes.Ack when streamId is not null:
                await AcknowledgeAsync(streamId, frame, cancellationToken);
                break;
            case FrameTypes.Subscribe or FrameTypes.Unsubscribe or FrameTypes.Ack:
                SendError(RealtimeErrors.Request($"A {type} frame needs {(type == FrameTypes.Ack ? "stream_id" : "stream_id or topic")}."));
                break;
            default:
                SendError(RealtimeErrors.Request($"Unknown frame type '{type}'."));
                break;
        }
    }

    private async Task<RealtimeError?> SubscribeTopicAsync(string topic, string? token, long? since, bool signed, CancellationToken cancellationToken)
    {
        var (verified, error) = await topicTokens.ValidateAsync(token, TopicScopes.Subscribe, topic, cancellationToken);
        if (verified is null)
        {
            LogRefused(logger, connection.Id, topic, error!.Code);
            return error;
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var existing))
            {
                if (Admit(token!) is { } limit)
                {
                    return limit;
                }
            }
            else
            {
                Release(existing.TokenKey);
                if (Admit(token!) is { } limit)
                {
                    _topics.Remove(topic);
                    return limit;
                }
            }

            _topics[topic] = new Subscription(TokenLimits.KeyOf(token!), verified.ExpiresAt);
        }

        long last;
        try
        {
            last = await topics.SubscribeAsync(topic, new TopicSubscriber(connection, signed), since, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // On a cluster the topic's place is read from the database, which may be away for a moment.
            UnsubscribeTopic(topic);
            LogTopicUnavailable(logger, ex, connection.Id, topic);
            return RealtimeErrors.Unavailable("The topic cannot be read now; subscribe again shortly.");
        }

        if (signed)
        {
            Send(JsonSerializer.SerializeToUtf8Bytes(new SubscribedFrame(topic, null, last), RealtimeJsonContext.Default.SubscribedFrame));
        }

        return null;
    }

    private void UnsubscribeTopic(string topic)
    {
        topics.Unsubscribe(topic, connection);
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out var subscription))
            {
                Release(subscription.TokenKey);
                _topics.Remove(topic);
            }
        }
    }

    private async Task SubscribeStreamAsync(string streamId, string? token, long? after, CancellationToken cancellationToken)
    {
        var (grant, error) = await access.AuthorizeAsync(token, streamId, cancellationToken);
        if (grant is null)
        {
            LogRefused(logger, connection.Id, streamId, error!.Code);
            SendError(error, streamId: streamId);
            return;
        }

        StreamSubscription? existing;
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out existing);
        }

        if (existing is not null)
        {
            // A new token for a stream already read here only renews the subscription.
            lock (_gate)
            {
                Release(existing.TokenKey);
                if (Admit(token!) is { } renewLimit)
                {
                    _streams.Remove(streamId);
                    SendError(renewLimit, streamId: streamId);
                    existing.Cancel();
                    return;
                }

                existing.Renew(TokenLimits.KeyOf(token!), grant.ExpiresAt);
            }

            if (after is { } position)
            {
                await existing.Feed.AcknowledgeAsync([], position, cancellationToken);
            }

            return;
        }

        lock (_gate)
        {
            if (Admit(token!) is { } limit)
            {
                SendError(limit, streamId: streamId);
                return;
            }
        }

        var feed = new StreamFeed(streamId, deliveries, signals, catalog, access, time, options.Value.MaxUnacknowledged);
        if (after is { } resumeAfter)
        {
            // The client holds everything up to this position: settle it, so nothing before it comes again.
            await feed.AcknowledgeAsync([], resumeAfter, cancellationToken);
        }

        var subscription = new StreamSubscription(feed, TokenLimits.KeyOf(token!), grant.ExpiresAt, _stop.Token);
        lock (_gate)
        {
            _streams[streamId] = subscription;
        }

        Send(JsonSerializer.SerializeToUtf8Bytes(new SubscribedFrame(null, streamId, null), RealtimeJsonContext.Default.SubscribedFrame));
        subscription.Pump = PumpAsync(subscription);
        LogStreamSubscribed(logger, connection.Id, streamId);
    }

    private async Task PumpAsync(StreamSubscription subscription)
    {
        await Task.Yield();
        try
        {
            var error = await subscription.Feed.RunAsync(
                frame => connection.TrySend(JsonSerializer.SerializeToUtf8Bytes(frame, RealtimeJsonContext.Default.SetFrame)),
                stopWhenWindowFull: false,
                subscription.Stopping);
            if (error is not null)
            {
                SendError(error, streamId: subscription.Feed.StreamId);
                lock (_gate)
                {
                    if (_streams.TryGetValue(subscription.Feed.StreamId, out var current) && ReferenceEquals(current, subscription))
                    {
                        Release(subscription.TokenKey);
                        _streams.Remove(subscription.Feed.StreamId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Unsubscribed or disconnected: whatever was not acknowledged stays pending.
        }
        finally
        {
            subscription.Feed.Dispose();
        }
    }

    private async Task UnsubscribeStreamAsync(string streamId)
    {
        StreamSubscription? subscription;
        lock (_gate)
        {
            if (_streams.TryGetValue(streamId, out subscription))
            {
                Release(subscription.TokenKey);
                _streams.Remove(streamId);
            }
        }

        if (subscription is not null)
        {
            subscription.Cancel();
            await subscription.Pump;
        }
    }

    private async Task AcknowledgeAsync(string streamId, JsonElement frame, CancellationToken cancellationToken)
    {
        StreamSubscription? subscription;
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out subscription);
        }

        if (subscription is null)
        {
            SendError(RealtimeErrors.Request($"This connection does not read stream '{streamId}'."), streamId: streamId);
            return;
        }

        var jtis = new List<string>();
        if (String(frame, "jti") is { } jti)
        {
            jtis.Add(jti);
        }
        else if (frame.TryGetProperty("jti", out var many) && many.ValueKind == JsonValueKind.Array)
        {
            jtis.AddRange(many.EnumerateArray().Where(j => j.ValueKind == JsonValueKind.String).Select(j => j.GetString()!));
        }

        var position = Int64(frame, "position");
        if (jtis.Count == 0 && position is null)
        {
            SendError(RealtimeErrors.Request("An ack frame needs jti or position."), streamId: streamId);
            return;
        }

        try
        {
            await subscription.Feed.AcknowledgeAsync(jtis, position, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The stream ended while the ack was on its way; what was not settled stays pending.
        }
    }

    /// <summary>Closes the connection when a token it subscribed with expires (checked every second).</summary>
    private async Task WatchExpiryAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.EnforceExpiryOnLiveConnections)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                var now = time.GetUtcNow();
                bool expired;
                lock (_gate)
                {
                    expired = _topics.Values.Any(t => t.ExpiresAt <= now) || _streams.Values.Any(s => s.ExpiresAt <= now);
                }

                if (expired)
                {
                    connection.Close(RealtimeConnection.PolicyViolation, "token expired: subscribe again with a new token");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
    }

    /// <summary>Counts a token's use: a connection the first time this connection uses it, and a subscription. Under <see cref="_gate"/>.</summary>
    private RealtimeError? Admit(string token)
    {
        var key = TokenLimits.KeyOf(token);
        var newConnection = !_tokensInUse.Contains(key);
        if (_topics.Count + _streams.Count >= options.Value.MaxSubscriptionsPerConnection)
        {
            return new RealtimeError(RealtimeErrors.LimitExceeded, $"A connection may hold at most {options.Value.MaxSubscriptionsPerConnection} subscriptions.");
        }

        if (newConnection && !limits.TryAddConnection(key))
        {
            return new RealtimeError(RealtimeErrors.LimitExceeded, $"This token is in use on {options.Value.MaxConnectionsPerToken} connections already.");
        }

        if (!limits.TryAddSubscription(key))
        {
            if (newConnection)
            {
                limits.RemoveConnection(key);
            }

            return new RealtimeError(RealtimeErrors.LimitExceeded, $"This token holds {options.Value.MaxSubscriptionsPerToken} subscriptions already.");
        }

        _tokensInUse.Add(key);
        return null;
    }

    /// <summary>Gives back one subscription of a token; the connection's count goes once the token holds none here. Under <see cref="_gate"/>.</summary>
    private void Release(string key)
    {
        limits.RemoveSubscription(key);
        if (!HoldsKey(key, excludingOne: true) && _tokensInUse.Remove(key))
        {
            limits.RemoveConnection(key);
        }
    }

    private bool HoldsKey(string key, bool excludingOne = false)
    {
        var count = _topics.Values.Count(t => t.TokenKey == key) + _streams.Values.Count(s => s.TokenKey == key);
        return count > (excludingOne ? 1 : 0);
    }

    private void ReleaseAll()
    {
        lock (_gate)
        {
            foreach (var topic in _topics.Keys.ToList())
            {
                topics.Unsubscribe(topic, connection);
            }

            foreach (var key in _topics.Values.Select(t => t.TokenKey).Concat(_streams.Values.Select(s => s.TokenKey)))
            {
                limits.RemoveSubscription(key);
            }

            foreach (var key in _tokensInUse)
            {
                limits.RemoveConnection(key);
            }

            _topics.Clear();
            _streams.Clear();
            _tokensInUse.Clear();
        }
    }

    private List<string> TopicNames()
    {
        lock (_gate)
        {
            return [.. _topics.Keys];
        }
    }

    private void SendText(string text) => Send(Encoding.UTF8.GetBytes(text));

    private void SendError(RealtimeError error, string? streamId = null, string? topic = null) =>
        Send(JsonSerializer.SerializeToUtf8Bytes(new ErrorFrame(error.Code, error.Description, streamId, topic), RealtimeJsonContext.Default.ErrorFrame));

    private void Send(byte[] frame) => connection.TrySend(frame);

    private static string? String(JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Int64(JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Realtime connection {ConnectionId} could not subscribe to topic {Topic}")]
    private static partial void LogTopicUnavailable(ILogger logger, Exception exception, string connectionId, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} refused for {Target}: {Error}")]
    private static partial void LogRefused(ILogger logger, string connectionId, string target, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} reads stream {StreamId}")]
    private static partial void LogStreamSubscribed(ILogger logger, string connectionId, string streamId);

    private sealed record Subscription(string TokenKey, DateTimeOffset? ExpiresAt);

    /// <summary>A stream read on this connection, with its pump and the token it was granted to.</summary>
    private sealed class StreamSubscription(StreamFeed feed, string tokenKey, DateTimeOffset? expiresAt, CancellationToken connectionStopping)
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionStopping);

        public StreamFeed Feed => feed;

        public string TokenKey { get; private set; } = tokenKey;

        public DateTimeOffset? ExpiresAt { get; private set; } = expiresAt;

        public CancellationToken Stopping => _cancel.Token;

        public Task Pump { get; set; } = Task.CompletedTask;

        public void Renew(string key, DateTimeOffset? expires)
        {
            TokenKey = key;
            ExpiresAt = expires;
        }

        public void Cancel() => _cancel.Cancel();
    }
}
