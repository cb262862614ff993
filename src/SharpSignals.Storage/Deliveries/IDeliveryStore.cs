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

    /// <summary>
    /// Marks pending entries delivered by an acknowledgement (poll <c>ack</c>, a real-time subscriber's),
    /// each counting it as an attempt made at <paramref name="at"/>. Unknown or settled <c>jti</c>s are ignored.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="jtis">The entries' <c>jti</c>s on the stream.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Moves pending entries to the dead letters with their errors (push 400, poll <c>setErrs</c>, retries
    /// exhausted); a failure's <see cref="DeliveryFailure.Attempt"/>, when set, is counted and kept.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="failures">The entries and why.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries changed.</returns>
    ValueTask<int> DeadLetterAsync(string streamId, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a failed push attempt and when to try again.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="id">The entry.</param>
    /// <param name="reason">What went wrong, the entry's last error.</param>
    /// <param name="attempt">The attempt, kept with the entry.</param>
    /// <param name="nextAttemptAt">The earliest time of the next attempt.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the attempt is recorded.</returns>
    ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

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

    /// <summary>
    /// Clears the back-off of every pending entry of a stream, so that the next delivery attempt tries
    /// them at once (the receiver fixed what made them fail, and the stream was enabled again).
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries were waiting for a retry.</returns>
    ValueTask<int> RetryPendingNowAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>The dead letters of a stream, oldest first.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="max">How many at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="max"/> entries.</returns>
    ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersAsync(string streamId, int max, CancellationToken cancellationToken);

    /// <summary>
    /// The dead letters of several streams (or of every stream), newest first, a page at a time: the
    /// operator console's list across streams, one read however many streams it covers.
    /// </summary>
    /// <param name="streamIds">The streams; null for every stream.</param>
    /// <param name="beforeId">Only entries whose id is below this: where the previous page ended; null for the newest.</param>
    /// <param name="max">How many at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="max"/> entries, highest id first.</returns>
    ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersPageAsync(IReadOnlyCollection<string>? streamIds, long? beforeId, int max, CancellationToken cancellationToken);

    /// <summary>Pending and dead-letter counts of a stream, its oldest pending entry and its last error.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The backlog.</returns>
    ValueTask<StreamBacklog> GetBacklogAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>
    /// The backlogs of several streams in one read, each as <see cref="GetBacklogAsync"/> gives it: one
    /// statement for a list of a thousand streams, not a thousand.
    /// </summary>
    /// <param name="streamIds">The streams.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Each stream's backlog, by stream id; an empty backlog for a stream with no entries.</returns>
    ValueTask<IReadOnlyDictionary<string, StreamBacklog>> GetBacklogsAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken);

    /// <summary>Queues dead letters again, as new attempts with their original SETs.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="jtis">The dead letters to retry; null for all of the stream's.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries were queued again.</returns>
    ValueTask<int> RetryDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken);

    /// <summary>Deletes dead letters.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="jtis">The dead letters to discard; null for all of the stream's.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many were deleted.</returns>
    ValueTask<int> DiscardDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a stream's delivered entries again from a point on (docs/ARCHITECTURE.md, "The path of one event", step 4): the
    /// entry with that <c>jti</c>, the first entry at or after a position, or the first queued at or
    /// after a time. The same SETs (same bytes, same <c>jti</c>) are delivered again, in order.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="fromPosition">Replay entries whose id is at least this, when set.</param>
    /// <param name="fromTime">Replay entries queued at or after this, when set.</param>
    /// <param name="fromJti">Replay from the entry with this <c>jti</c>, when set.</param>
    /// <param name="dryRun">Only count what would be queued again, changing nothing.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>How many entries were (or would be) queued again. Entries still pending are left as they are, never queued twice.</returns>
    ValueTask<int> ReplayAsync(string streamId, long? fromPosition, DateTimeOffset? fromTime, string? fromJti, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Every entry an event was queued as, one per stream, oldest first, each with its last attempts.</summary>
    /// <param name="eventPosition">The event's position in the log.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries, without their SETs.</returns>
    ValueTask<IReadOnlyList<EventDelivery>> ReadEventDeliveriesAsync(long eventPosition, CancellationToken cancellationToken);

    /// <summary>
    /// One step of retention over the entries: among the next <paramref name="max"/> entries after
    /// <paramref name="afterId"/>, deletes those delivered or given up on before <paramref name="cutoff"/>.
    /// Pending entries are never deleted.
    /// </summary>
    /// <param name="cutoff">What was settled earlier than this goes.</param>
    /// <param name="afterId">Where the previous step ended; 0 to start.</param>
    /// <param name="max">How many entries the step looks at.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>What the step deleted and where the next one starts.</returns>
    ValueTask<RetentionStep> PurgeEntriesAsync(DateTimeOffset cutoff, long afterId, int max, CancellationToken cancellationToken);

    /// <summary>
    /// One step of retention over the event log: among the next <paramref name="max"/> events after
    /// <paramref name="afterPosition"/>, deletes those received before <paramref name="cutoff"/> that no
    /// entry refers to any more.
    /// </summary>
    /// <param name="cutoff">What was received earlier than this goes.</param>
    /// <param name="afterPosition">Where the previous step ended; 0 to start.</param>
    /// <param name="max">How many events the step looks at.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>What the step deleted and where the next one starts.</returns>
    ValueTask<RetentionStep> PurgeEventsAsync(DateTimeOffset cutoff, long afterPosition, int max, CancellationToken cancellationToken);
}
