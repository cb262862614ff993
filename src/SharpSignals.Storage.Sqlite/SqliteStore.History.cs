using System.Buffers;
using System.Text;
using System.Text.Json;
using SharpSignals.Storage.History;

namespace SharpSignals.Storage.Sqlite;

/// <summary>The operator console's delivery history (<see cref="IStreamHistoryStore"/>).</summary>
public sealed partial class SqliteStore
{
    /// <summary>
    /// All of a node's minutes in one statement, whatever their number: they come as one JSON array
    /// of <c>[stream, minute, delivered, failed, backlog, lag]</c> rows, which SQLite unpacks itself.
    /// </summary>
    private const string AddHistorySql = """
        INSERT INTO stream_history (node_id, stream_id, minute, delivered, failed, backlog, lag_seconds)
        SELECT $node, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
               json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
        FROM json_each($rows) WHERE true
        ON CONFLICT (node_id, stream_id, minute) DO UPDATE SET
            delivered = delivered + excluded.delivered,
            failed = failed + excluded.failed,
            backlog = coalesce(excluded.backlog, backlog),
            lag_seconds = coalesce(excluded.lag_seconds, lag_seconds)
        """;

    private const string PurgeHistorySql = "DELETE FROM stream_history WHERE minute < $keep OR stream_id IN (SELECT value FROM json_each($dropped))";

    /// <inheritdoc/>
    public async ValueTask WriteStreamHistoryAsync(string nodeId, IReadOnlyCollection<StreamHistoryRow> minutes, IReadOnlyCollection<string> droppedStreams, DateTimeOffset keepFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(droppedStreams);
        var rows = Json(json =>
        {
            foreach (var minute in minutes)
            {
                json.WriteStartArray();
                json.WriteStringValue(minute.StreamId);
                json.WriteNumberValue(ToUnixMs(minute.Start));
                json.WriteNumberValue(minute.Delivered);
                json.WriteNumberValue(minute.Failed);
                WriteNumberOrNull(json, minute.Backlog);
                WriteNumberOrNull(json, minute.LagSeconds);
                json.WriteEndArray();
            }
        });
        var dropped = Json(json =>
        {
            foreach (var streamId in droppedStreams)
            {
                json.WriteStringValue(streamId);
            }
        });
        await _writer.ExecuteAsync(
            context =>
            {
                // The purge first: it takes no row this node is about to write.
                var purge = context.Command(PurgeHistorySql);
                purge.Parameters.AddWithValue("$keep", ToUnixMs(keepFrom));
                purge.Parameters.AddWithValue("$dropped", dropped);
                purge.ExecuteNonQuery();
                if (minutes.Count == 0)
                {
                    return 0;
                }

                var add = context.Command(AddHistorySql);
                add.Parameters.AddWithValue("$node", nodeId);
                add.Parameters.AddWithValue("$rows", rows);
                return add.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamHistoryRow>> ReadStreamHistoryAsync(DateTimeOffset from, TimeSpan period, CancellationToken cancellationToken)
    {
        var periodMs = (long)period.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(periodMs, 60_000);
        return await ReadListAsync(
            """
            SELECT stream_id, minute / $period * $period AS start, sum(delivered), sum(failed), max(backlog), max(lag_seconds)
            FROM stream_history WHERE minute >= $from
            GROUP BY stream_id, start ORDER BY stream_id, start
            """,
            p =>
            {
                p.AddWithValue("$from", ToUnixMs(from));
                p.AddWithValue("$period", periodMs);
            },
            r => new StreamHistoryRow(
                r.GetString(0),
                FromUnixMs(r.GetInt64(1)),
                r.GetInt64(2),
                r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetDouble(5)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A JSON array of what <paramref name="items"/> writes.</summary>
    private static string Json(Action<Utf8JsonWriter> items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            items(json);
            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
