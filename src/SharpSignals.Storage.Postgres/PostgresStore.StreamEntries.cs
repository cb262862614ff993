using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Postgres;

/// <summary>A stream's recent entries with their attempts, a page at a time (the operator console's stream page).</summary>
public sealed partial class PostgresStore
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamEntry>> ReadStreamEntriesAsync(string streamId, DeliveryState? state, long? beforeId, long? afterId, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var newer = afterId is not null && beforeId is null;
        var rows = await ReadListAsync(
            StreamEntriesSql.Build(state, newer, '@', "d.attempt_log::text"),
            p =>
            {
                p.Text("stream", streamId);
                p.BigInt("before", beforeId ?? long.MaxValue);
                p.BigInt("after", afterId ?? 0L);
                p.AddWithValue("max", max);
            },
            r => new StreamEntry(
                r.GetInt64(0),
                new EventDelivery(streamId, r.GetString(1), (DeliveryState)r.GetInt16(2), r.GetInt32(3), ReadTextOrNull(r, 4), ReadTime(r, 5), ReadTimeOrNull(r, 6))
                {
                    AttemptLog = AttemptLog.Read(ReadTextOrNull(r, 7), _attemptsKept),
                }),
            cancellationToken).ConfigureAwait(false);
        if (newer)
        {
            rows.Reverse();
        }

        return rows;
    }
}
