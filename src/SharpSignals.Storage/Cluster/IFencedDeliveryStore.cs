using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Cluster;

/// <summary>
/// The delivery changes a node makes while it holds a stream's lease (<see cref="ILeaseStore"/>),
/// each fenced by the lease's token: it applies only while that token is the stream's newest, in
/// the same transaction, so that a node that lost its lease (a pause, a lost connection) can never
/// settle an entry the new holder is delivering (docs/ARCHITECTURE.md, "Cluster"). The embedded store fences
/// the same way, against the node's own earlier runs.
/// </summary>
public interface IFencedDeliveryStore
{
    /// <summary>
    /// Marks pending entries delivered by a push, each with the attempt that delivered it (counted and
    /// kept in the same statement), only while the lease's token is the stream's newest.
    /// </summary>
    /// <param name="lease">The lease the delivering node holds.</param>
    /// <param name="delivered">The entries' <c>jti</c>s on the stream and their attempts.</param>
    /// <param name="at">When, the entries' completion time.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    /// <exception cref="StreamLeaseLostException">Another node took the stream over; nothing changed.</exception>
    ValueTask<int> AcknowledgeAsync(StreamLease lease, IReadOnlyCollection<DeliveredEntry> delivered, DateTimeOffset at, CancellationToken cancellationToken);

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
    /// <param name="reason">What went wrong, the entry's last error.</param>
    /// <param name="attempt">The attempt, kept with the entry.</param>
    /// <param name="nextAttemptAt">The earliest time of the next attempt.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the attempt is recorded.</returns>
    /// <exception cref="StreamLeaseLostException">Another node took the stream over; nothing changed.</exception>
    ValueTask RecordFailedAttemptAsync(StreamLease lease, long id, string reason, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);
}
