using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// One subscriber's live reading of a poll stream: the stream's pending entries, oldest first, each
/// sent once on this subscription, and at most a window of them unacknowledged. What is not
/// acknowledged stays pending in the store, so after a disconnect the next subscription sends it
/// again; what is acknowledged is settled exactly as a poll <c>ack</c> (RFC 8936 §2.4) and never
/// sent again. Status, retention and replay are the poll stream's own.
/// </summary>
internal sealed class StreamFeed(
    string streamId,
    IDeliveryStore deliveries,
    StreamSignals signals,
    StreamCatalog catalog,
    StreamAccess access,
    TimeProvider time,
    int window) : IDisposable
{
    /// <summary>How long to wait without a signal before looking again (an ack through a poll wakes no one).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<long, string> _inFlight = [];
    private TaskCompletionSource _wake = NewWake();
    private DateTimeOffset _lastActivity = DateTimeOffset.MinValue;

    public string StreamId => streamId;

    /// <summary>Whether the window is full: every entry sent waits for an acknowledgement.</summary>
    public bool WindowFull { get; private set; }

    /// <summary>
    /// Sends entries as they are routed until cancelled, the sink refuses one (the connection fell
    /// behind), <paramref name="stopWhenWindowFull"/> applies, or the stream is deleted or disabled,
    /// which is the error returned.
    /// </summary>
    public async Task<RealtimeError?> RunAsync(Func<SetFrame, bool> trySend, bool stopWhenWindowFull, CancellationToken cancellationToken)
    {
        catalog.Changed += OnStreamChanged;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Signals are taken before the read, so nothing routed in between is missed.
                var signal = signals.Next(streamId);
                var wake = Volatile.Read(ref _wake).Task;
                var route = catalog.Find(streamId);
                if (route is null)
                {
                    return new RealtimeError(RealtimeErrors.NotFound, $"Stream '{streamId}' was deleted.");
                }

                if (route.Status == StreamStatuses.Disabled)
                {
                    return new RealtimeError(RealtimeErrors.StreamDisabled, $"Stream '{streamId}' is disabled.");
                }

                // SSF 1.0 §8.1.2: a paused stream holds its events until it is enabled again.
                if (route.Status == StreamStatuses.Enabled)
                {
                    var (sent, more) = await SendPendingAsync(trySend, cancellationToken);
                    if (!sent || (stopWhenWindowFull && WindowFull))
                    {
                        return null;
                    }

                    if (more)
                    {
                        continue;
                    }
                }

                using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(signal, wake, Task.Delay(Recheck, time, delay.Token));
                await delay.CancelAsync();
            }

            return null;
        }
        finally
        {
            catalog.Changed -= OnStreamChanged;
        }
    }

    /// <summary>
    /// Acknowledges entries by <c>jti</c> and, with <paramref name="throughPosition"/>, every pending
    /// entry at or before that position (WebSocket <c>position</c> and <c>after</c>, SSE <c>Last-Event-ID</c>).
    /// </summary>
    public async Task<int> AcknowledgeAsync(IReadOnlyCollection<string> jtis, long? throughPosition, CancellationToken cancellationToken)
    {
        var settled = 0;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (jtis.Count > 0)
            {
                settled += await deliveries.AcknowledgeAsync(streamId, jtis, now, cancellationToken);
                var acked = jtis.ToHashSet(StringComparer.Ordinal);
                foreach (var id in _inFlight.Where(e => acked.Contains(e.Value)).Select(e => e.Key).ToList())
                {
                    _inFlight.Remove(id);
                }
            }

            if (throughPosition is { } position)
            {
                while (true)
                {
                    var pending = await deliveries.ReadPendingAsync(streamId, 500, cancellationToken);
                    var upTo = pending.Where(e => e.Id <= position).Select(e => e.Jti).ToList();
                    if (upTo.Count == 0)
                    {
                        break;
                    }

                    settled += await deliveries.AcknowledgeAsync(streamId, upTo, now, cancellationToken);
                    if (upTo.Count < pending.Count)
                    {
                        break;
                    }
                }

                foreach (var id in _inFlight.Keys.Where(id => id <= position).ToList())
                {
                    _inFlight.Remove(id);
                }
            }
        }
        finally
        {
            _lock.Release();
        }

        Wake();
        if (time.GetUtcNow() - _lastActivity >= TimeSpan.FromMinutes(1))
        {
            _lastActivity = time.GetUtcNow();
            await access.RecordActivityAsync(streamId, cancellationToken);
        }

        return settled;
    }

    public void Dispose() => _lock.Dispose();

    private async Task<(bool Sent, bool More)> SendPendingAsync(Func<SetFrame, bool> trySend, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var want = _inFlight.Count + Math.Min(window, 500);
            var entries = await deliveries.ReadPendingAsync(streamId, want, cancellationToken);
            if (entries.Count < want)
            {
                // Everything pending was read: what is no longer there was settled elsewhere (a poll ack, a disable).
                var present = entries.Select(e => e.Id).ToHashSet();
                foreach (var id in _inFlight.Keys.Where(id => !present.Contains(id)).ToList())
                {
                    _inFlight.Remove(id);
                }
            }

            foreach (var entry in entries)
            {
                if (_inFlight.ContainsKey(entry.Id))
                {
                    continue;
                }

                if (_inFlight.Count >= window)
                {
                    break;
                }

                using (var span = ServerTracing.StartDelivery("sharpsignals.realtime.send", streamId, entry.Jti, entry.TraceParent))
                {
                    if (!trySend(new SetFrame(streamId, entry.Id, entry.Jti, entry.Token ?? entry.EventToken)))
                    {
                        ServerTracing.Failed(span, "send buffer full");
                        return (false, false);
                    }
                }

                _inFlight[entry.Id] = entry.Jti;
            }

            WindowFull = _inFlight.Count >= window;
            return (true, entries.Count == want && !WindowFull);
        }
        finally
        {
            _lock.Release();
        }
    }

    private void OnStreamChanged(string changed)
    {
        if (changed == streamId)
        {
            Wake();
        }
    }

    private void Wake() => Interlocked.Exchange(ref _wake, NewWake()).TrySetResult();

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
