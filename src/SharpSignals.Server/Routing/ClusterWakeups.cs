using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Carries <see cref="StreamSignals"/> between nodes, so that a long poll or a push worker on one
/// node wakes when another node routes to its stream. Streams routed to while a notice is on its way
/// go together in the next one (coalesced), and every <see cref="ClusterOptions.CheckSeconds"/> every
/// waiter here looks at the store anyway, so a lost notice only delays a wake-up.
/// </summary>
internal sealed class ClusterWakeups(ClusterBus bus, StreamSignals signals, IOptions<ClusterOptions> options, TimeProvider time) : BackgroundService
{
    public const string Kind = "routed";

    private readonly ConcurrentDictionary<string, byte> _routed = new(StringComparer.Ordinal);
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!bus.IsShared)
        {
            return;
        }

        bus.On(Kind, OnRouted);
        signals.Routed += OnRoutedHere;
        try
        {
            var check = TimeSpan.FromSeconds(options.Value.CheckSeconds);
            var nextCheck = time.GetUtcNow() + check;
            while (!stoppingToken.IsCancellationRequested)
            {
                // Until a stream is routed to here, or the periodic check is due.
                await _doorbell.Reader.ReadWithinAsync(nextCheck - time.GetUtcNow(), time, stoppingToken);
                if (time.GetUtcNow() >= nextCheck)
                {
                    signals.WakeAll();
                    nextCheck = time.GetUtcNow() + check;
                }

                var streams = _routed.Keys.ToList();
                foreach (var streamId in streams)
                {
                    _routed.TryRemove(streamId, out _);
                }

                await bus.SendLinesAsync(Kind, streams, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            signals.Routed -= OnRoutedHere;
        }
    }

    private void OnRoutedHere(string streamId)
    {
        if (_routed.TryAdd(streamId, 0))
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    private void OnRouted(ClusterNotice notice)
    {
        if (notice.Kind == ClusterNotice.ResyncKind)
        {
            signals.WakeAll();
            return;
        }

        foreach (var streamId in notice.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            signals.Wake(streamId);
        }
    }
}
