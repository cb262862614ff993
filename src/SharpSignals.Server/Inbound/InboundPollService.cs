using Microsoft.Extensions.Options;
using SharpSignals.Server.Routing;

namespace SharpSignals.Server.Inbound;

/// <summary>
/// Runs one <see cref="SourcePoller"/> per enabled inbound poll stream, started and stopped as streams
/// change (a paused or disabled stream is not polled), so that a slow or dead source only ever holds up
/// its own stream. A poller that is stopped sends the acknowledgements it still owes before it ends,
/// and its successor starts only after that.
/// </summary>
internal sealed partial class InboundPollService(
    StreamCatalog catalog,
    InboundReceiver receiver,
    SourceHttp http,
    SourceTokens tokens,
    InboundPollStatus status,
    IOptions<InboundOptions> options,
    TimeProvider time,
    ILogger<InboundPollService> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Poller> _pollers = new(StringComparer.Ordinal);
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
            // Shutting down: every poller is cancelled with the host and sends its last acknowledgements.
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _pollers.Values.Select(p => p.Task)];
        }

        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    public override void Dispose()
    {
        catalog.Changed -= OnStreamChanged;
        base.Dispose();
    }

    private void OnStreamChanged(string streamId)
    {
        var polled = SourcePoller.IsPolled(catalog.Find(streamId));
        lock (_gate)
        {
            _pollers.TryGetValue(streamId, out var current);
            var active = current is { Stopped: false, Finished: false };
            if (polled && !active && !_stopping.IsCancellationRequested)
            {
                _pollers[streamId] = Start(streamId, current);
            }
            else if (!polled && active)
            {
                // Ends a long poll at once rather than when the source answers.
                current!.Stopped = true;
                current.Cancellation.Cancel();
            }
        }
    }

    /// <summary>Starts a poller; called under the lock. It waits for the one it replaces, so a stream is never polled twice at once.</summary>
    private Poller Start(string streamId, Poller? previous)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var poller = new SourcePoller(streamId, catalog, receiver, http, tokens, status, options, time, logger);
        var handle = new Poller(cancellation);
        handle.Task = Task.Run(async () =>
        {
            try
            {
                if (previous is not null)
                {
                    await previous.Task.ContinueWith(_ => { }, TaskScheduler.Default);
                }

                await poller.RunAsync(cancellation.Token);
            }
            catch (Exception ex)
            {
                LogPollerFailed(logger, ex, streamId);
                throw;
            }
            finally
            {
                lock (_gate)
                {
                    handle.Finished = true;
                    cancellation.Dispose();

                    // The stream may have been enabled again while this poller was ending on its own.
                    if (!handle.Stopped && _pollers.GetValueOrDefault(streamId) == handle && !_stopping.IsCancellationRequested
                        && SourcePoller.IsPolled(catalog.Find(streamId)))
                    {
                        _pollers[streamId] = Start(streamId, previous: null);
                    }
                }
            }
        });
        return handle;
    }

    private sealed class Poller(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Task { get; set; } = Task.CompletedTask;

        public bool Stopped { get; set; }

        public bool Finished { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Poller of inbound stream {StreamId} failed")]
    private static partial void LogPollerFailed(ILogger logger, Exception exception, string streamId);
}
