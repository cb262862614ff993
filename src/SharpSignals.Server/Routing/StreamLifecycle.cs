using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Routing;

/// <summary>
/// A stream's status changes and receiver activity, for the management API (the receiver's changes)
/// and for delivery (the transmitter's own: a receiver refusing credentials, inactivity, a pause
/// notice delivered). One place, so both settle where delivery stops the same way.
/// </summary>
internal sealed partial class StreamLifecycle(
    IStreamStore store,
    IDeliveryStore deliveries,
    StreamCatalog catalog,
    EventRouter router,
    TimeProvider time,
    ILogger<StreamLifecycle> logger) : IDisposable
{
    /// <summary>The dead-letter reason of a status notice that no longer describes its stream.</summary>
    public const string SupersededError = "superseded";

    private readonly SemaphoreSlim _transmitterChanges = new(1, 1);

    public void Dispose() => _transmitterChanges.Dispose();

    /// <summary>
    /// The transmitter changes a stream's status on its own (a receiver refusing credentials,
    /// inactivity): SSF 1.0 §8.1.5 requires a stream-updated event, sent before stopping.
    /// </summary>
    public async Task ChangeStatusByTransmitterAsync(string streamId, string status, string reason, CancellationToken cancellationToken)
    {
        // Delivery and the inactivity check may decide the same change at once: one of them makes it.
        await _transmitterChanges.WaitAsync(cancellationToken);
        try
        {
            var record = await store.GetStreamAsync(streamId, cancellationToken);
            var route = catalog.Find(streamId);
            if (record is null || route is null || record.Status == status)
            {
                return;
            }

            var (_, notice) = await router.AppendStreamEventAsync(route, new StreamUpdated { Status = status, Reason = reason }, cancellationToken);
            await ChangeStatusAsync(record, status, reason, cancellationToken, pauseNotice: status == StreamStatuses.Paused ? notice : null);
            LogTransmitterStatus(logger, streamId, status, reason);
        }
        finally
        {
            _transmitterChanges.Release();
        }
    }

    /// <summary>
    /// Delivery has gone past the notice of a pause the transmitter made (nothing pending is at or
    /// before <paramref name="notice"/>): the stream now holds everything until it is enabled again.
    /// </summary>
    public async Task PauseNoticeSentAsync(string streamId, long notice, CancellationToken cancellationToken)
    {
        await _transmitterChanges.WaitAsync(cancellationToken);
        try
        {
            var record = await store.GetStreamAsync(streamId, cancellationToken);
            if (record is null || record.PauseNoticePosition != notice)
            {
                return;
            }

            await store.UpdateStreamAsync(record with { PauseNoticePosition = null }, cancellationToken);
            await catalog.RefreshAsync(streamId, cancellationToken);
        }
        finally
        {
            _transmitterChanges.Release();
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.1: management calls and polls count as receiver activity. Recorded at most once a
    /// minute per stream, so that reads and polls do not cost a write each time.
    /// </summary>
    public async Task RecordActivityAsync(StreamRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (record.LastActivityAt is not { } last || now - last >= TimeSpan.FromMinutes(1))
        {
            await store.UpdateStreamAsync(record with { LastActivityAt = now }, cancellationToken);
        }
    }

    /// <summary>
    /// Changes the status and settles where delivery stops: a pause the transmitter made
    /// (<paramref name="pauseNotice"/>) takes effect after its notice, any other change at once.
    /// </summary>
    public async Task<StreamRecord> ChangeStatusAsync(StreamRecord record, string status, string? reason, CancellationToken cancellationToken, long? pauseNotice = null)
    {
        var now = time.GetUtcNow();
        var updated = record with { Status = status, StatusReason = reason, UpdatedAt = now, LastActivityAt = now, PauseNoticePosition = pauseNotice };
        await store.UpdateStreamAsync(updated, cancellationToken);
        if (record.PauseNoticePosition is { } stale)
        {
            await DropStaleNoticeAsync(record.StreamId, stale, status, now, cancellationToken);
        }

        if (status == StreamStatuses.Disabled)
        {
            // SSF 1.0 §8.1.2: a disabled stream keeps nothing for later.
            await deliveries.DiscardPendingAsync(record.StreamId, cancellationToken);
        }
        else if (status == StreamStatuses.Enabled && record.Status != StreamStatuses.Enabled)
        {
            // Enabled again, typically because the receiver fixed what it refused: what waits for a
            // retry is tried at once, so that nothing behind it (a verification) waits out a back-off
            // that described the stream as it was.
            await deliveries.RetryPendingNowAsync(record.StreamId, cancellationToken);
        }

        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        return updated;
    }

    /// <summary>
    /// A pause notice still pending when the status changes again describes a status the stream no
    /// longer has (SSF 1.0 §8.1.5 asks for the stream's status, not its history): it becomes a dead
    /// letter that says why, so the receiver never hears of a pause that is over, and nothing queued
    /// after it (a verification) waits behind its retries. Done with the change itself, so it holds
    /// across restarts.
    /// </summary>
    private async Task DropStaleNoticeAsync(string streamId, long notice, string status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = (await deliveries.ReadEventDeliveriesAsync(notice, cancellationToken))
            .Where(d => d.StreamId == streamId && d.State == DeliveryState.Pending)
            .Select(d => new DeliveryFailure(d.Jti, SupersededError, $"The stream's status changed to {status} before this notice was delivered."))
            .ToList();
        if (pending.Count > 0)
        {
            await deliveries.DeadLetterAsync(streamId, pending, now, cancellationToken);
            LogNoticeSuperseded(logger, streamId, status);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} set to {Status} by the transmitter: {Reason}")]
    private static partial void LogTransmitterStatus(ILogger logger, string streamId, string status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: its pending pause notice no longer applies (now {Status}); moved to dead letters")]
    private static partial void LogNoticeSuperseded(ILogger logger, string streamId, string status);
}
