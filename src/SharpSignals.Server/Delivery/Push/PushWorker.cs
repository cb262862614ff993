using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// Delivers one push stream's entries (docs/ARCHITECTURE.md, "The path of one event"), in order per subject
/// and, with a backlog, several subjects at once (<see cref="PushLanes"/>): 2xx delivered; 400 with <c>err</c> to the dead letters; 401/403 retried, then the stream is
/// paused with a stream-updated event; 429 waits for <c>Retry-After</c>; anything else backs off
/// exponentially with jitter for about a day, then goes to the dead letters. The entry at the head of
/// a lane waits for its retry; entries behind it in that lane wait too, so order per subject holds
/// (and when the receiver is down, every lane waits). Every change it makes
/// is fenced by the stream's push lease: once another node has taken the stream over, the change
/// fails with <see cref="StreamLeaseLostException"/> and the worker stops.
/// </summary>
internal sealed partial class PushWorker(
    StreamLease lease,
    StreamCatalog catalog,
    IDeliveryStore deliveries,
    IFencedDeliveryStore fenced,
    StreamSignals signals,
    IdlePushStreams idle,
    PushLanes lanes,
    PushClient client,
    StreamLifecycle lifecycle,
    DeliveryLag lag,
    FailingStreams failing,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger logger)
{
    private int _authFailures;

    /// <summary>1 while a failing period runs (<see cref="FailingStreams"/>), so that a delivered push reads one field, not a shared dictionary.</summary>
    private int _failing;

    /// <summary>
    /// The acknowledgement of the last batch (one write for the whole batch), committing while the
    /// next batch is pushed instead of before it: with incoming events sharing the writer, waiting
    /// for each commit took a third of a busy stream's time. Its entries stay pending on disk until
    /// it commits, so the next read skips them. A crash before it commits only means those entries,
    /// at most two batches, are pushed again, and receivers deduplicate on <c>jti</c>.
    /// </summary>
    private Task _acknowledging = Task.CompletedTask;

    private HashSet<string> _acknowledgingJtis = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PushUntilStoppedAsync(cancellationToken);
        }
        finally
        {
            lag.Forget(lease.StreamId);
            failing.Forget(lease.StreamId);
            client.ForgetAccessToken(lease.StreamId);
        }
    }

    private async Task PushUntilStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PushBatchesAsync(cancellationToken);
        }
        finally
        {
            await AcknowledgedAsync();
        }
    }

    private async Task PushBatchesAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var route = catalog.Find(lease.StreamId);
            if (route is null || !route.IsPush || !route.Window.IsOpen)
            {
                return;
            }

            var signal = signals.Next(lease.StreamId);
            var batch = await ReadNextAsync(cancellationToken);
            if (route.PauseNoticePosition is { } notice && (batch.Count == 0 || !route.Window.Admits(batch[0].EventPosition)))
            {
                // The notice of the transmitter's pause has gone: hold the rest until the stream is enabled.
                await AcknowledgedAsync();
                await lifecycle.PauseNoticeSentAsync(lease.StreamId, notice, cancellationToken);
                return;
            }

            if (batch.Count == 0)
            {
                await AcknowledgedAsync();
                lag.Forget(lease.StreamId);
                Recovered();

                // No timer of its own: a signal lost on the way is found by the one sweep of all idle streams.
                await idle.WaitAsync(lease.StreamId, signal, cancellationToken);
                continue;
            }

            var delivered = new ConcurrentQueue<DeliveredEntry>();
            TimeSpan? wait;
            try
            {
                wait = await DeliverAsync(route, batch, delivered, cancellationToken);
            }
            finally
            {
                await AcknowledgeAsync(delivered);
            }

            // Behind by more than a batch, and pushing: what the batch ended with tells how far behind.
            if (wait is null && batch.Count == options.Value.BatchSize)
            {
                lag.Report(lease.StreamId, route.Project, batch[^1].CreatedAt);
            }
            else
            {
                lag.Forget(lease.StreamId);
            }
            if (wait is { } delay)
            {
                await WaitAsync(signal, delay, cancellationToken);
            }
        }
    }

    /// <summary>The next pending entries, up to a batch, without those whose acknowledgement is still committing.</summary>
    private async Task<IReadOnlyList<DeliveryEntry>> ReadNextAsync(CancellationToken cancellationToken)
    {
        var size = options.Value.BatchSize;
        var read = await deliveries.ReadPendingAsync(lease.StreamId, size + _acknowledgingJtis.Count, cancellationToken);
        return _acknowledgingJtis.Count == 0 ? read : [.. read.Where(e => !_acknowledgingJtis.Contains(e.Jti)).Take(size)];
    }

    /// <summary>Starts acknowledging the entries the batch delivered, once the previous batch's acknowledgement has committed.</summary>
    private async Task AcknowledgeAsync(ConcurrentQueue<DeliveredEntry> delivered)
    {
        await AcknowledgedAsync();
        if (!delivered.IsEmpty)
        {
            // Each entry keeps the push that delivered it, in the same statement that settles it.
            var entries = delivered.ToArray();
            _acknowledgingJtis = new HashSet<string>(entries.Select(e => e.Jti), StringComparer.Ordinal);
            _acknowledging = fenced.AcknowledgeAsync(lease, entries, time.GetUtcNow(), CancellationToken.None).AsTask();
        }
    }

    /// <summary>Waits for the acknowledgement in flight to commit; a lost lease surfaces here.</summary>
    private async Task AcknowledgedAsync()
    {
        var acknowledging = _acknowledging;
        _acknowledging = Task.CompletedTask;
        try
        {
            await acknowledging;
        }
        finally
        {
            _acknowledgingJtis.Clear();
        }
    }

    /// <summary>
    /// Pushes the batch, its lanes at once, adding what each delivers to <paramref name="delivered"/>;
    /// returns how long to wait when no lane can go on before a retry is due, and null when some lane
    /// got through (the next batch may have more for it).
    /// </summary>
    private async Task<TimeSpan?> DeliverAsync(StreamRoute route, IReadOnlyList<DeliveryEntry> batch, ConcurrentQueue<DeliveredEntry> delivered, CancellationToken cancellationToken)
    {
        var split = PushLanes.Split(batch, options.Value.Lanes);
        if (split.Count == 1)
        {
            return await DeliverLaneAsync(route, split[0], delivered, cancellationToken);
        }

        var runs = new Task<TimeSpan?>[split.Count];
        for (var i = 1; i < split.Count; i++)
        {
            var lane = split[i];
            runs[i] = lanes.RunAsync(i - 1, () => DeliverLaneAsync(route, lane, delivered, cancellationToken));
        }

        runs[0] = DeliverLaneAsync(route, split[0], delivered, cancellationToken);
        var waits = await Task.WhenAll(runs);
        return waits.Any(w => w is null) ? null : waits.Min();
    }

    /// <summary>
    /// Pushes one lane's entries in order, adding each one delivered to <paramref name="delivered"/>;
    /// returns how long to wait when its head entry must be retried later.
    /// </summary>
    private async Task<TimeSpan?> DeliverLaneAsync(StreamRoute route, IReadOnlyList<DeliveryEntry> batch, ConcurrentQueue<DeliveredEntry> delivered, CancellationToken cancellationToken)
    {
        foreach (var entry in batch)
        {
            if (!route.Window.Admits(entry.EventPosition))
            {
                return null;
            }

            var now = time.GetUtcNow();
            if (entry.NextAttemptAt is { } next && next > now)
            {
                return next - now;
            }

            var outcome = await client.PushAsync(route, entry, cancellationToken);
            switch (outcome.Result)
            {
                case PushResult.Delivered:
                    Volatile.Write(ref _authFailures, 0);
                    delivered.Enqueue(new DeliveredEntry(entry.Jti, outcome.ToAttempt(now)));
                    Recovered();
                    break;
                case PushResult.Refused:
                    LogRefused(logger, lease.StreamId, entry.Jti, outcome.Error!);
                    await fenced.DeadLetterAsync(lease, [new DeliveryFailure(entry.Jti, outcome.Error!, outcome.Description, outcome.ToAttempt(now))], now, cancellationToken);
                    break;
                case PushResult.Unauthorized when Interlocked.Increment(ref _authFailures) == options.Value.MaxAuthFailures:
                    // The pause takes effect after its notice, which waits behind this entry: both
                    // go on being retried, with back-off, until the receiver takes them or the
                    // retries run out.
                    LogPaused(logger, lease.StreamId, _authFailures);
                    await lifecycle.ChangeStatusByTransmitterAsync(lease.StreamId, StreamStatuses.Paused, $"The receiver refused the stream's credentials {_authFailures} times ({outcome.Error}).", cancellationToken);
                    return await RetryLaterAsync(route, entry, outcome, now, cancellationToken);
                default:
                    return await RetryLaterAsync(route, entry, outcome, now, cancellationToken);
            }
        }

        return null;
    }

    private async Task<TimeSpan> RetryLaterAsync(StreamRoute route, DeliveryEntry entry, PushOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // The period first, the flag after: a delivered push in another lane that sees the flag finds the period to end.
        failing.Failed(lease.StreamId, route.Project, outcome.Error ?? "failed");
        Volatile.Write(ref _failing, 1);
        if (now - entry.CreatedAt >= TimeSpan.FromSeconds(settings.MaxRetrySeconds))
        {
            LogGaveUp(logger, lease.StreamId, entry.Jti, entry.Attempts + 1);
            await fenced.DeadLetterAsync(lease, [new DeliveryFailure(entry.Jti, "retries_exhausted", $"Gave up after {entry.Attempts + 1} attempts; last: {outcome.Error}", outcome.ToAttempt(now))], now, cancellationToken);
            return TimeSpan.Zero;
        }

        var delay = outcome.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero
            ? retryAfter
            : Backoff(entry.Attempts, settings);
        await fenced.RecordFailedAttemptAsync(lease, entry.Id, outcome.Error ?? "failed", outcome.ToAttempt(now), now + delay, cancellationToken);
        LogRetry(logger, lease.StreamId, entry.Jti, outcome.Error ?? "failed", delay.TotalSeconds);
        return delay;
    }

    /// <summary>Ends the failing period, if one runs: a field read on every delivered push, the shared tracker only on the change.</summary>
    private void Recovered()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
        {
            failing.Recovered(lease.StreamId);
        }
    }

    /// <summary>Exponential back-off with ±20 % jitter, so that many streams failing together do not retry together.</summary>
    internal static TimeSpan Backoff(int previousAttempts, PushOptions settings)
    {
        var seconds = Math.Min(settings.InitialBackoffSeconds * Math.Pow(2, Math.Min(previousAttempts, 30)), settings.MaxBackoffSeconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(seconds * jitter);
    }

    private async Task WaitAsync(Task signal, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sleep = Task.Delay(delay, time, timeout.Token);
        await Task.WhenAny(signal, sleep);
        await timeout.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: the receiver refused {Jti} with {Error}; moved to dead letters")]
    private static partial void LogRefused(ILogger logger, string streamId, string jti, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: {Jti} failed ({Error}); retrying in {Seconds:0.0} s")]
    private static partial void LogRetry(ILogger logger, string streamId, string jti, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: gave up on {Jti} after {Attempts} attempts; moved to dead letters")]
    private static partial void LogGaveUp(ILogger logger, string streamId, string jti, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: credentials refused {Failures} times; pausing the stream")]
    private static partial void LogPaused(ILogger logger, string streamId, int failures);
}
