using System.Collections.Concurrent;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// The push workers with nothing pending, waiting for their stream's signal (<see cref="StreamSignals"/>),
/// and the one sweep that stands in for a signal that never came: every <see cref="Every"/> it reads
/// the backlogs of all of them in one query and wakes those that have entries after all. An idle
/// stream so costs no timer and no store read of its own: 10,000 streams each looking every 30 s
/// were about 330 store reads a second doing nothing.
/// </summary>
internal sealed partial class IdlePushStreams(IDeliveryStore deliveries, StreamSignals signals, TimeProvider time, ILogger<IdlePushStreams> logger)
{
    /// <summary>How often the idle streams' backlogs are looked at, whatever the signals say.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    /// <summary>Streams per backlog query, so that one query stays short beside the writer.</summary>
    private const int SweepChunk = 1000;

    private readonly ConcurrentDictionary<string, byte> _idle = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits, on the caller's context, for <paramref name="signal"/> (taken before the read that found
    /// nothing) or the stop, counted as idle meanwhile.
    /// </summary>
    public async Task WaitAsync(string streamId, Task signal, CancellationToken cancellationToken)
    {
        _idle[streamId] = 0;
        try
        {
            await signal.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            _idle.TryRemove(streamId, out _);
        }
    }

    /// <summary>Sweeps every <see cref="Every"/> until <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await SweepAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Wakes every idle stream that has pending entries; how many it woke.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var woken = 0;
        foreach (var chunk in _idle.Keys.Chunk(SweepChunk))
        {
            try
            {
                var backlogs = await deliveries.GetBacklogsAsync(chunk, cancellationToken);
                foreach (var (streamId, backlog) in backlogs)
                {
                    if (backlog.Pending > 0 && _idle.ContainsKey(streamId))
                    {
                        LogMissedSignal(logger, streamId, backlog.Pending);
                        signals.Wake(streamId);
                        woken++;
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next sweep looks again.
                LogSweepFailed(logger, ex, chunk.Length);
            }
        }

        return woken;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: {Pending} entries pending while its push worker was idle; woken by the sweep")]
    private static partial void LogMissedSignal(ILogger logger, string streamId, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the backlogs of {Count} idle push streams; the next sweep looks again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, int count);
}
