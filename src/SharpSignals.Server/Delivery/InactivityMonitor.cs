using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// SSF 1.0 §8.1.1 <c>inactivity_timeout</c>: pauses enabled streams whose receiver has shown no
/// activity (management calls; polls for poll streams) for that long, with the stream-updated event
/// the transmitter owes when it changes a status itself.
/// </summary>
internal sealed partial class InactivityMonitor(IStreamStore store, StreamCodec codec, StreamLifecycle lifecycle, TimeProvider time, ILogger<InactivityMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PauseInactiveAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCheckFailed(logger, ex);
            }
        }
    }

    internal async Task PauseInactiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var record in await store.ListStreamsAsync(null, null, cancellationToken))
        {
            if (record.Status != StreamStatuses.Enabled || codec.Decode(record).InactivityTimeout is not { } seconds)
            {
                continue;
            }

            var last = record.LastActivityAt ?? record.CreatedAt;
            if (now - last >= TimeSpan.FromSeconds(seconds))
            {
                await lifecycle.ChangeStatusByTransmitterAsync(record.StreamId, StreamStatuses.Paused, $"No receiver activity for {seconds} seconds (inactivity_timeout).", cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The inactivity check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
