using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// The streams a WebSocket connection reads (docs/API.md, "Project-specific endpoints"): subscribe
/// with a token and an optional position to resume after, each stream's SETs pumped as set frames
/// from its <see cref="StreamFeed"/>, acknowledged by ack frames, and unsubscribe.
/// </summary>
internal sealed partial class SessionStreams(
    RealtimeConnection connection,
    SessionSubscriptions subscriptions,
    FrameSender send,
    StreamAccess access,
    IDeliveryStore deliveries,
    StreamSignals signals,
    StreamCatalog catalog,
    IOptions<RealtimeOptions> options,
    TimeProvider time,
    ILogger logger)
{
    public async Task SubscribeAsync(string streamId, string? token, long? after, CancellationToken connectionStopping, CancellationToken cancellationToken)
    {
        var (grant, error) = await access.AuthorizeAsync(token, streamId, cancellationToken);
        if (grant is null)
        {
            RealtimeLog.Refused(logger, connection.Id, streamId, error!.Code);
            send.Error(error, streamId: streamId);
            return;
        }

        if (subscriptions.FindStream(streamId) is { } existing)
        {
            // A new token for a stream already read here only renews the subscription.
            if (subscriptions.RenewStream(existing, grant.CounterKey, grant.ExpiresAt) is { } renewLimit)
            {
                send.Error(renewLimit, streamId: streamId);
                existing.Cancel();
                return;
            }

            if (after is { } position)
            {
                await existing.Feed.AcknowledgeAsync([], position, cancellationToken);
            }

            return;
        }

        if (subscriptions.AdmitStream(grant.CounterKey) is { } limit)
        {
            send.Error(limit, streamId: streamId);
            return;
        }

        var feed = new StreamFeed(streamId, deliveries, signals, catalog, access, time, options.Value.MaxUnacknowledged);
        if (after is { } resumeAfter)
        {
            // The client holds everything up to this position: settle it, so nothing before it comes again.
            await feed.AcknowledgeAsync([], resumeAfter, cancellationToken);
        }

        var subscription = new StreamSubscription(feed, grant.CounterKey, grant.ExpiresAt, connectionStopping);
        subscriptions.AddStream(subscription);
        send.Subscribed(null, streamId, null);
        subscription.Pump = PumpAsync(subscription);
        LogStreamSubscribed(logger, connection.Id, streamId);
    }

    public async Task UnsubscribeAsync(string streamId)
    {
        if (subscriptions.RemoveStream(streamId) is { } subscription)
        {
            subscription.Cancel();
            await subscription.Pump;
        }
    }

    public async Task AcknowledgeAsync(string streamId, ClientFrame frame, CancellationToken cancellationToken)
    {
        if (subscriptions.FindStream(streamId) is not { } subscription)
        {
            send.Error(RealtimeErrors.Request($"This connection does not read stream '{streamId}'."), streamId: streamId);
            return;
        }

        var jtis = frame.Jtis();
        var position = frame.Int64("position");
        if (jtis.Count == 0 && position is null)
        {
            send.Error(RealtimeErrors.Request("An ack frame needs jti or position."), streamId: streamId);
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

    /// <summary>Every stream's pump, to wait for when the connection ends.</summary>
    public Task StoppedAsync() => Task.WhenAll(subscriptions.Streams().Select(s => s.Pump));

    private async Task PumpAsync(StreamSubscription subscription)
    {
        await Task.Yield();
        try
        {
            var error = await subscription.Feed.RunAsync(send.Set, stopWhenWindowFull: false, subscription.Stopping);
            if (error is not null)
            {
                send.Error(error, streamId: subscription.Feed.StreamId);
                subscriptions.RemoveStreamIfCurrent(subscription);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} reads stream {StreamId}")]
    private static partial void LogStreamSubscribed(ILogger logger, string connectionId, string streamId);
}

/// <summary>Log messages more than one part of a realtime session writes.</summary>
internal static partial class RealtimeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} refused for {Target}: {Error}")]
    public static partial void Refused(ILogger logger, string connectionId, string target, string error);
}
