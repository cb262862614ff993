using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Sources;

/// <summary>
/// One <see cref="SourcePoller"/> per enabled inbound poll stream whose lease this node holds
/// (<see cref="LeasedStreamWorkers"/>), so that a slow or dead source only ever holds up its own
/// stream and, in a cluster, a source is polled by one node at a time. A paused or disabled stream
/// stops its poller at once (ending a long poll rather than waiting for the source's answer); a
/// stopped poller sends the acknowledgements it still owes before it ends, and the stream's next
/// poller starts only after that.
/// </summary>
internal sealed class SourcePollService(
    StreamCatalog catalog,
    ILeaseStore cluster,
    ClusterNode node,
    ClusterMembership membership,
    SourceIntake intake,
    SourceHttp http,
    SourcePollStatus status,
    IOptions<SourceOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    TimeProvider time,
    ILogger<SourcePollService> logger) : LeasedStreamWorkers(catalog, cluster, node, membership, clusterOptions, time, logger)
{
    protected override string WorkName => "poll";

    protected override bool Wants(StreamRoute? route) => SourcePoller.IsPolled(route);

    protected override Task RunWorkerAsync(StreamLease lease, CancellationToken stop)
    {
        // Another node may have polled it meanwhile: this poller's first word on it is stored, whatever was said before.
        status.Forget(lease.StreamId);
        var poller = new SourcePoller(lease.StreamId, Catalog, intake, http, status, options, Time, logger);
        return Task.Run(() => poller.RunAsync(stop), CancellationToken.None);
    }
}
