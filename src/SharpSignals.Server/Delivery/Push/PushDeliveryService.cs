using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// One <see cref="PushWorker"/> per enabled outbound push stream whose push lease this node holds
/// (<see cref="LeasedStreamWorkers"/>), each on a thread of its own (<see cref="DedicatedThread"/>).
/// </summary>
internal sealed class PushDeliveryService(
    StreamCatalog catalog,
    IDeliveryStore deliveries,
    ILeaseStore cluster,
    IFencedDeliveryStore fenced,
    ClusterNode node,
    ClusterMembership membership,
    StreamSignals signals,
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

    protected override Task RunWorkerAsync(StreamLease lease, CancellationToken stop)
    {
        var worker = new PushWorker(lease, Catalog, deliveries, fenced, signals, client, lifecycle, lag, failing, options, Time, logger);
        return DedicatedThread.Run("push " + lease.StreamId, () => worker.RunAsync(stop));
    }

    /// <summary>A running worker sees the change at its next turn, after its current push, and stops when the stream no longer pushes: wake it.</summary>
    protected override void OnChangedWhileRunning(string streamId, Action stop) => signals.Wake(streamId);
}
