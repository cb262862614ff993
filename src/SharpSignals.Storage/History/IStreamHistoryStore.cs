namespace SharpSignals.Storage.History;

/// <summary>
/// The operator console's delivery history (docs/OPERATIONS.md, "Console history"): each node's
/// finished minutes per stream, kept for a day, so that the charts survive a restart and every node
/// of a cluster shows what all of them did.
/// </summary>
public interface IStreamHistoryStore
{
    /// <summary>
    /// Adds a node's minutes, in one statement for them all: counts add to what the node already wrote
    /// for the same stream and minute (a node that stopped mid-minute and started again), a sample
    /// replaces the one kept. Rows older than <paramref name="keepFrom"/> and every row of
    /// <paramref name="droppedStreams"/> (deleted streams) are deleted in the same transaction.
    /// </summary>
    /// <param name="nodeId">The node that counted.</param>
    /// <param name="minutes">Its minutes; <see cref="StreamHistoryRow.Start"/> on a whole minute.</param>
    /// <param name="droppedStreams">Streams whose history goes, every node's.</param>
    /// <param name="keepFrom">Rows of earlier minutes are deleted.</param>
    /// <param name="cancellationToken">Cancels the write while it waits for the writer.</param>
    /// <returns>A task that completes when the write is committed.</returns>
    ValueTask WriteStreamHistoryAsync(string nodeId, IReadOnlyCollection<StreamHistoryRow> minutes, IReadOnlyCollection<string> droppedStreams, DateTimeOffset keepFrom, CancellationToken cancellationToken);

    /// <summary>
    /// Every node's minutes from <paramref name="from"/> on, added up per stream and period of
    /// <paramref name="period"/> (periods counted from the Unix epoch): counts summed, samples the
    /// largest. Streams and periods with no row are absent.
    /// </summary>
    /// <param name="from">The first minute read.</param>
    /// <param name="period">A whole number of minutes: 1 for the minutes themselves.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The periods, by stream and then time.</returns>
    ValueTask<IReadOnlyList<StreamHistoryRow>> ReadStreamHistoryAsync(DateTimeOffset from, TimeSpan period, CancellationToken cancellationToken);
}
