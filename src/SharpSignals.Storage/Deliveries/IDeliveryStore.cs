namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// Per-stream delivery entries, oldest first. Every change is durable when its task completes:
/// an acknowledged entry is never handed out again, also after a crash.
/// </summary>
public interface IDeliveryStore
{
    /// <summary>The oldest pending entries of a stream, in queue order.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="max">How many at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="max"/> entries.</returns>
    ValueTask<IReadOnlyList<DeliveryEntry>> ReadPendingAsync(string streamId, int max, CancellationToken cancellationToken);

    /// <summary>How many entries of a stream are pending.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The count.</returns>
    ValueTask<long> CountPendingAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>Marks pending entries delivered (push 2xx, poll <c>ack</c>). Unknown or settled <c>jti</c>s are ignored.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="jtis">The entries' <c>jti</c>s on the stream.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Moves pending entries to the dead letters with their errors (push 400, poll <c>setErrs</c>, retries exhausted).</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="failures">The entries and why.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    ValueTask<int> DeadLetterAsync(string streamId, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a failed push attempt and when to try again.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="id">The entry.</param>
    /// <param name="reason">What went wrong.</param>
    /// <param name="nextAttemptAt">The earliest time of the next attempt.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the attempt is recorded.</returns>
    ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Keeps the SET signed for an entry, so every retry sends the same bytes.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="id">The entry.</param>
    /// <param name="token">The signed SET.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the token is stored.</returns>
    ValueTask StoreTokenAsync(string streamId, long id, string token, CancellationToken cancellationToken);

    /// <summary>Drops every pending entry of a stream (SSF 1.0 §8.1.2: a disabled stream keeps nothing).</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries were dropped.</returns>
    ValueTask<int> DiscardPendingAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>The dead letters of a stream, oldest first.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="max">How many at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="max"/> entries.</returns>
    ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersAsync(string streamId, int max, CancellationToken cancellationToken);
}
