using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// Runs one <see cref="PushWorker"/> per enabled outbound push stream, started and stopped as streams
/// change, so that a slow or dead receiver only ever holds up its own stream.
/// </summary>
internal sealed partial class PushDeliveryService(
    StreamCatalog catalog,
    IDeliveryStore deliveries,
    StreamSignals signals,
    PushClient client,
    IServiceProvider services,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<PushDeliveryService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Task> _workers = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        catalog.Changed += OnStreamChanged;
        foreach (var route in catalog.All)
        {
            OnStreamChanged(route.StreamId);
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: let the workers finish their current push.
        }

        await Task.WhenAll(_workers.Values.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    public override void Dispose()
    {
        catalog.Changed -= OnStreamChanged;
        base.Dispose();
    }

    private void OnStreamChanged(string streamId)
    {
        var route = catalog.Find(streamId);
        if (route is null || !route.IsPush || !route.IsOutbound || route.Status != StreamStatuses.Enabled)
        {
            // A running worker sees the change at its next turn and stops; wake it.
            signals.Wake(streamId);
            return;
        }

        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _workers.AddOrUpdate(
            streamId,
            id => Start(id),
            (id, running) => running.IsCompleted ? Start(id) : Wake(id, running));
    }

    private Task Wake(string streamId, Task running)
    {
        signals.Wake(streamId);
        return running;
    }

    private Task Start(string streamId)
    {
        var worker = new PushWorker(streamId, catalog, deliveries, signals, client, services.GetRequiredService<StreamService>(), options, time, logger);
        return DedicatedThread.Run("push " + streamId, async () =>
        {
            try
            {
                await worker.RunAsync(_stopping);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception ex)
            {
                LogWorkerFailed(logger, ex, streamId);
                throw;
            }
            finally
            {
                // The stream may have been enabled again while the worker was stopping.
                if (!_stopping.IsCancellationRequested && catalog.Find(streamId) is { IsPush: true, Status: StreamStatuses.Enabled })
                {
                    _workers.TryRemove(streamId, out _);
                    OnStreamChanged(streamId);
                }
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Push worker of stream {StreamId} failed")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string streamId);
}
