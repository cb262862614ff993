using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// One <see cref="PushWorker"/> per enabled outbound push stream whose push lease this node holds
/// (<see cref="LeasedStreamWorkers"/>), all of them on the bounded set of <see cref="PushThreads"/>, and
/// the one sweep of the idle ones (<see cref="IdlePushStreams"/>).
/// </summary>
internal sealed class PushDeliveryService(
    StreamCatalog catalog,
    IDeliveryStore deliveries,
    ILeaseStore cluster,
    IFencedDeliveryStore fenced,
    ClusterNode node,
    ClusterMembership membership,
    StreamSignals signals,
    PushThreads threads,
    IdlePushStreams idle,
    PushClient client,
    DeliveryLag lag,
    FailingStreams failing,
    StreamLifecycle lifecycle,
    IOptions<PushOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    TimeProvider time,
    ILogger<PushDeliveryService> logger) : LeasedStreamWorkers(catalog, cluster, node, membership, clusterOptions, time, logger)
{
    protected override string WorkName => "push";

    protected override bool Wants(StreamRoute? route) =>
        route is { IsPush: true, IsOutbound: true, Window.IsOpen: true };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = idle.RunAsync(stoppingToken);
        try
        {
            await base.ExecuteAsync(stoppingToken);
        }
        finally
        {
            await sweep;
        }
    }

    /// <summary>The worker runs on one push thread, taken in turn; its lanes on the threads after it.</summary>
    protected override Task RunWorkerAsync(StreamLease lease, CancellationToken stop)
    {
        var thread = threads.Next();
        var worker = new PushWorker(lease, Catalog, deliveries, fenced, signals, idle, new PushLanes(threads, thread), client, lifecycle, lag, failing, options, Time, logger);
        return thread.RunAsync(() => worker.RunAsync(stop));
    }

    /// <summary>A running worker sees the change at its next turn, after its current push, and stops when the stream no longer pushes: wake it.</summary>
    protected override void OnChangedWhileRunning(string streamId, Action stop) => signals.Wake(streamId);
}
