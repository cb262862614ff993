using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Sqlite;

/// <summary>A stream's recent entries with their attempts, a page at a time (the operator console's stream page).</summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamEntry>> ReadStreamEntriesAsync(string streamId, DeliveryState? state, long? beforeId, long? afterId, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var newer = afterId is not null && beforeId is null;
        var rows = await ReadListAsync(
            StreamEntriesSql.Build(state, newer, '$', "d.attempt_log"),
            p =>
            {
                p.AddWithValue("$stream", streamId);
                p.AddWithValue("$before", beforeId ?? long.MaxValue);
                p.AddWithValue("$after", afterId ?? 0L);
                p.AddWithValue("$max", max);
            },
            r => new StreamEntry(
                r.GetInt64(0),
                new EventDelivery(
                    streamId,
                    r.GetString(1),
                    (DeliveryState)r.GetInt32(2),
                    r.GetInt32(3),
                    r.IsDBNull(4) ? null : r.GetString(4),
                    FromUnixMs(r.GetInt64(5)),
                    FromUnixMsOrNull(r, 6))
                {
                    AttemptLog = AttemptLog.Read(r.IsDBNull(7) ? null : r.GetString(7), _attemptsKept),
                }),
            cancellationToken).ConfigureAwait(false);
        if (newer)
        {
            rows.Reverse();
        }

        return rows;
    }
}
