namespace SharpSignals.Storage.Streams;

/// <summary>Streams and their subjects.</summary>
public interface IStreamStore
{
    /// <summary>Stores a new stream.</summary>
    /// <param name="stream">The stream; its id must be new.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the stream is durable.</returns>
    ValueTask CreateStreamAsync(StreamRecord stream, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new stream unless its owner already has <paramref name="maxStreamsPerOwner"/> streams;
    /// counted and written in one transaction, serialized per owner, so concurrent creations (also on
    /// other nodes) never pass the limit. A stream without an owner (the admin's) is not counted.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="maxStreamsPerOwner">The most streams one owner may have.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>True when the stream is durable; false, with nothing stored, when the owner is at the limit.</returns>
    ValueTask<bool> CreateStreamWithinLimitAsync(StreamRecord stream, int maxStreamsPerOwner, CancellationToken cancellationToken);

    /// <summary>Finds a stream.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stream, or null.</returns>
    ValueTask<StreamRecord?> GetStreamAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>Every stream, optionally only a project's or an owner's, oldest first.</summary>
    /// <param name="project">Only this project's streams, when set.</param>
    /// <param name="ownerClientId">Only this client's streams, when set.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The streams.</returns>
    ValueTask<IReadOnlyList<StreamRecord>> ListStreamsAsync(string? project, string? ownerClientId, CancellationToken cancellationToken);

    /// <summary>Replaces a stream's stored row.</summary>
    /// <param name="stream">The stream with its new values.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>Whether the stream existed.</returns>
    ValueTask<bool> UpdateStreamAsync(StreamRecord stream, CancellationToken cancellationToken);

    /// <summary>Records what went wrong with the last poll of an inbound stream's source, or clears it (null).</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="lastError">The error, or null after a poll that succeeded.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when it is stored; nothing happens for a stream that is gone.</returns>
    ValueTask SetSourceErrorAsync(string streamId, string? lastError, CancellationToken cancellationToken);

    /// <summary>
    /// Sets or clears the hash of a stream's own credential, replacing the one before. Kept apart from
    /// the record: <see cref="UpdateStreamAsync"/> never changes it, and no read of a record returns it.
    /// </summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="credentialHash">The hash, or null to revoke the credential.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>Whether the stream exists.</returns>
    ValueTask<bool> SetCredentialHashAsync(string streamId, string? credentialHash, CancellationToken cancellationToken);

    /// <summary>The hash of a stream's own credential.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The hash, or null when the stream has none or does not exist.</returns>
    ValueTask<string?> GetCredentialHashAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>Deletes a stream with its subjects and its delivery entries.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>Whether the stream existed.</returns>
    ValueTask<bool> DeleteStreamAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a subject added to the stream (<see cref="StreamSubject.Included"/>) or removed from it.
    /// A subject already there is replaced and goes last, so that the list is in the order of the
    /// receiver's latest word on each subject (for routing, the latest matching one decides).
    /// </summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>A task that completes when the subject is durable.</returns>
    ValueTask AddSubjectAsync(string streamId, StreamSubject subject, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AddSubjectAsync"/>, unless the subject is new to the stream and the stream
    /// already records <paramref name="maxSubjects"/> subjects (added or removed); counted and written
    /// in one transaction, serialized per stream, so concurrent additions never pass the limit.
    /// </summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="maxSubjects">The most subjects the stream may record.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer.</param>
    /// <returns>True when the subject is durable; false, with nothing changed, when the stream is at the limit.</returns>
    ValueTask<bool> AddSubjectWithinLimitAsync(string streamId, StreamSubject subject, int maxSubjects, CancellationToken cancellationToken);

    /// <summary>A stream's subjects, added and removed, in the order they were recorded.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The subjects.</returns>
    ValueTask<IReadOnlyList<StreamSubject>> ListSubjectsAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>
    /// Every stream's subjects in one read, handed over one row at a time and kept nowhere: stream by
    /// stream, each stream's in the order they were recorded; a stream with none gives no row. For
    /// reloading every stream at once without a query per stream, and without holding a million
    /// subjects' rows in memory (docs/BENCHMARKS.md, "Subjects and fan-out at scale").
    /// </summary>
    /// <param name="row">Takes one row, its stream id and subject, while the read is open: keep it short. What it throws ends the read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>When every row was handed over.</returns>
    ValueTask ListAllSubjectsAsync(Action<string, StreamSubject> row, CancellationToken cancellationToken);
}
