using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Cluster;

/// <summary>
/// What the nodes sharing one store coordinate through (docs/ARCHITECTURE.md, "Cluster"): notices to each
/// other, the node list, the leases that give one node at a time a stream's push delivery, and the
/// delivery changes fenced by such a lease, so that a node that lost its lease cannot settle an
/// entry the new owner is delivering.
/// </summary>
/// <remarks>
/// The embedded store serves one node: it sends notices nowhere, counts one node, and grants every
/// lease at once (taking it from the node's previous run), with the same fencing.
/// </remarks>
public interface IClusterStore
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
    /// Takes a stream's push lease for <paramref name="duration"/>, by the store's clock, when nobody
    /// holds it, its holder let it expire, or the holder is this node (a restart). Each grant carries
    /// a fencing token greater than every earlier one of the stream.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="nodeId">The node that asks.</param>
    /// <param name="duration">How long the lease holds without renewal.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The lease, or <see langword="null"/> when another node holds it.</returns>
    ValueTask<StreamLease?> TryAcquireLeaseAsync(string streamId, string nodeId, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends the leases still held with their tokens, in one write however many there are.</summary>
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

    /// <summary>The leases that have not expired, by the store's clock.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leases.</returns>
    ValueTask<IReadOnlyList<StreamLease>> ListLeasesAsync(CancellationToken cancellationToken);

    /// <summary>As <see cref="IDeliveryStore.AcknowledgeAsync"/>, only while the lease's token is the stream's newest.</summary>
    /// <param name="lease">The lease the delivering node holds.</param>
    /// <param name="jtis">The entries' <c>jti</c>s on the stream.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    /// <exception cref="StreamLeaseLostException">Another node took the stream over; nothing changed.</exception>
    ValueTask<int> AcknowledgeAsync(StreamLease lease, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>As <see cref="IDeliveryStore.DeadLetterAsync"/>, only while the lease's token is the stream's newest.</summary>
    /// <param name="lease">The lease the delivering node holds.</param>
    /// <param name="failures">The entries and why.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    /// <exception cref="StreamLeaseLostException">Another node took the stream over; nothing changed.</exception>
    ValueTask<int> DeadLetterAsync(StreamLease lease, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>As <see cref="IDeliveryStore.RecordFailedAttemptAsync"/>, only while the lease's token is the stream's newest.</summary>
    /// <param name="lease">The lease the delivering node holds.</param>
    /// <param name="id">The entry.</param>
    /// <param name="reason">What went wrong.</param>
    /// <param name="nextAttemptAt">The earliest time of the next attempt.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the attempt is recorded.</returns>
    /// <exception cref="StreamLeaseLostException">Another node took the stream over; nothing changed.</exception>
    ValueTask RecordFailedAttemptAsync(StreamLease lease, long id, string reason, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>The Data Protection key ring's XML elements that every node shares (shared stores only).</summary>
    /// <returns>The elements, oldest first.</returns>
    IReadOnlyList<string> ListDataProtectionKeys();

    /// <summary>Adds an element to the shared Data Protection key ring (shared stores only).</summary>
    /// <param name="name">The element's friendly name (the key id).</param>
    /// <param name="xml">The element.</param>
    void AddDataProtectionKey(string name, string xml);
}
