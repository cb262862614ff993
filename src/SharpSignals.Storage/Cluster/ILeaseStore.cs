namespace SharpSignals.Storage.Cluster;

/// <summary>
/// The leases through which the nodes sharing one store take turns (docs/ARCHITECTURE.md, "Cluster"): each
/// node's lease on being counted alive (the node list), one node's turn at a task it runs for all,
/// and one node's lease on a stream's delivery, whose fencing token guards its changes
/// (<see cref="IFencedDeliveryStore"/>). The notices the live nodes send each other travel here too:
/// they are addressed to the nodes this contract counts, exist only when the store
/// <see cref="IsShared"/>, and on the embedded store vanish for the same reason its leases are
/// granted at once, so one contract tells the one-node story once.
/// </summary>
/// <remarks>
/// The embedded store serves one node: it sends notices nowhere, counts one node, gives every turn
/// to whoever asks, and grants every lease at once (taking it from the node's previous run), with a
/// growing fencing token all the same. Its leases do not lapse: one holds until it is released or
/// taken again, whatever duration was asked, since no other node could take over a lapsed one; so
/// renewing writes nothing (a read that confirms the tokens), and a lease outlives a crash of its
/// process until the next run takes the stream again.
/// </remarks>
public interface ILeaseStore
{
    /// <summary>Whether other nodes may share this store.</summary>
    bool IsShared { get; }

    /// <summary>Sends a notice to every listening node, this one included. It may be lost; never rely on it alone.</summary>
    /// <param name="notice">The notice; at most <see cref="ClusterNotice.MaxBytes"/>.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the notice is sent.</returns>
    ValueTask NotifyAsync(ClusterNotice notice, CancellationToken cancellationToken);

    /// <summary>
    /// The notices of every node as they arrive, until cancelled. Whenever the listening connection
    /// was lost and is back, <see cref="ClusterNotice.Resync"/> comes first: notices sent meanwhile
    /// are gone, and the listener should look at the store again.
    /// </summary>
    /// <param name="cancellationToken">Ends the listening.</param>
    /// <returns>The notices.</returns>
    IAsyncEnumerable<ClusterNotice> ListenAsync(CancellationToken cancellationToken);

    /// <summary>Records that the node is alive until <paramref name="ttl"/> from now, by the store's clock.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="ttl">How long the node counts as alive without another heartbeat.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many nodes are alive, this one included.</returns>
    ValueTask<int> HeartbeatAsync(string nodeId, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Removes the node from the live nodes (a clean shutdown).</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the node is gone.</returns>
    ValueTask LeaveAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes, or keeps, the turn at a task that one node of the cluster runs for all (the retention
    /// sweep), for <paramref name="duration"/> by the store's clock: granted when nobody holds it, its
    /// holder let it expire, or the holder is this node.
    /// </summary>
    /// <param name="task">The task's name.</param>
    /// <param name="nodeId">The node that asks.</param>
    /// <param name="duration">How long the turn holds without being taken again.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether this node has the turn.</returns>
    ValueTask<bool> TryTakeTurnAsync(string task, string nodeId, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Takes streams' leases for <paramref name="duration"/>, by the store's clock, in one write however
    /// many: each one nobody holds, whose holder let it expire, or whose holder is this node (a
    /// restart). Each grant carries a fencing token greater than every earlier one of its stream.
    /// </summary>
    /// <param name="streamIds">The streams.</param>
    /// <param name="nodeId">The node that asks.</param>
    /// <param name="duration">How long the leases hold without renewal.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The leases granted, in no particular order; without the streams another node holds and the unknown ones.</returns>
    ValueTask<IReadOnlyList<StreamLease>> TryAcquireLeasesAsync(IReadOnlyCollection<string> streamIds, string nodeId, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends the leases still held with their tokens, in one statement however many there are; the embedded store's do not lapse, and it only confirms them.</summary>
    /// <param name="leases">The leases.</param>
    /// <param name="duration">How long from now, by the store's clock.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The streams whose leases were renewed; for the others, another node took over: stop working them.</returns>
    ValueTask<IReadOnlySet<string>> RenewLeasesAsync(IReadOnlyCollection<StreamLease> leases, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Lets a lease expire now, so that another node may take the stream at once.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    ValueTask ReleaseLeaseAsync(StreamLease lease, CancellationToken cancellationToken);

    /// <summary>The leases held: neither expired, by the store's clock, nor released.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leases.</returns>
    ValueTask<IReadOnlyList<StreamLease>> ListLeasesAsync(CancellationToken cancellationToken);
}
