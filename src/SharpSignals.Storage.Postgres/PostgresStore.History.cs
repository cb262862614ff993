using Npgsql;
using NpgsqlTypes;
using SharpSignals.Storage.History;

namespace SharpSignals.Storage.Postgres;

/// <summary>The operator console's delivery history (<see cref="IStreamHistoryStore"/>), every node's rows in one table.</summary>
public sealed partial class PostgresStore
{
    /// <summary>All of a node's minutes in one statement, the columns unnested side by side.</summary>
    private const string AddHistorySql = """
        INSERT INTO stream_history AS h (node_id, stream_id, minute, delivered, failed, backlog, lag_seconds)
        SELECT @node, r.stream_id, r.minute, r.delivered, r.failed, r.backlog, r.lag_seconds
        FROM unnest(@streams, @minutes, @delivered, @failed, @backlogs, @lags) AS r (stream_id, minute, delivered, failed, backlog, lag_seconds)
        ON CONFLICT (node_id, stream_id, minute) DO UPDATE SET
            delivered = h.delivered + excluded.delivered,
            failed = h.failed + excluded.failed,
            backlog = coalesce(excluded.backlog, h.backlog),
            lag_seconds = coalesce(excluded.lag_seconds, h.lag_seconds)
        """;

    /// <summary>
    /// Every node purges, each once a minute; rows past a day and those of deleted streams are rows no
    /// node writes any more, so two purges only wait for each other, never for a node's own minutes.
    /// </summary>
    private const string PurgeHistorySql = "DELETE FROM stream_history WHERE minute < @keep OR stream_id = ANY(@dropped)";

    /// <inheritdoc/>
    public async ValueTask WriteStreamHistoryAsync(string nodeId, IReadOnlyCollection<StreamHistoryRow> minutes, IReadOnlyCollection<string> droppedStreams, DateTimeOffset keepFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(droppedStreams);
        await _writer.ExecuteAsync(
            async context =>
            {
                await using (var purge = context.Command(PurgeHistorySql))
                {
                    purge.Parameters.Time("keep", keepFrom);
                    purge.Parameters.TextArray("dropped", droppedStreams);
                    await purge.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                if (minutes.Count == 0)
                {
                    return 0;
                }

                await using var add = context.Command(AddHistorySql);
                add.Parameters.Text("node", nodeId);
                add.Parameters.TextArray("streams", minutes.Select(m => m.StreamId));
                add.Parameters.Add(new NpgsqlParameter("minutes", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = minutes.Select(m => m.Start.UtcDateTime).ToArray() });
                add.Parameters.Add(new NpgsqlParameter("delivered", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = minutes.Select(m => m.Delivered).ToArray() });
                add.Parameters.Add(new NpgsqlParameter("failed", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = minutes.Select(m => m.Failed).ToArray() });
                add.Parameters.Add(new NpgsqlParameter("backlogs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = minutes.Select(m => m.Backlog).ToArray() });
                add.Parameters.Add(new NpgsqlParameter("lags", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = minutes.Select(m => m.LagSeconds).ToArray() });
                return await add.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamHistoryRow>> ReadStreamHistoryAsync(DateTimeOffset from, TimeSpan period, CancellationToken cancellationToken)
    {
        var periodSeconds = (long)period.TotalSeconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 60);
        return await ReadListAsync(
            """
            SELECT stream_id, to_timestamp(floor(extract(epoch FROM minute) / @period) * @period) AS start,
                   sum(delivered)::bigint, sum(failed)::bigint, max(backlog), max(lag_seconds)
            FROM stream_history WHERE minute >= @from
            GROUP BY stream_id, start ORDER BY stream_id, start
            """,
            p =>
            {
                p.Time("from", from);
                p.BigInt("period", periodSeconds);
            },
            r => new StreamHistoryRow(
                r.GetString(0),
                ReadTime(r, 1),
                r.GetInt64(2),
                r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetDouble(5)),
            cancellationToken).ConfigureAwait(false);
    }
}
