using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using static SharpSignals.Storage.Deliveries.DeliveryStateSql;

namespace SharpSignals.Storage.Sqlite;

/// <summary>What operators do with deliveries: look at the backlog, retry or discard dead letters, replay, purge.</summary>
public sealed partial class SqliteStore
{
    private const string Requeue = $"state = {Pending}, attempts = 0, next_attempt_at = NULL, completed_at = NULL";

    /// <inheritdoc/>
    public async ValueTask<StreamBacklog> GetBacklogAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT {BacklogColumns("$stream")}",
            p => p.AddWithValue("$stream", streamId),
            r =>
            {
                r.Read();
                return ReadBacklog(r, 0);
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<string, StreamBacklog>> GetBacklogsAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streamIds);
        if (streamIds.Count == 0)
        {
            return new Dictionary<string, StreamBacklog>(StringComparer.Ordinal);
        }

        var json = StringArrayJson(streamIds);
        return await ReadAsync(
            BacklogsSql,
            p => p.AddWithValue("$streams", json),
            r =>
            {
                var backlogs = new Dictionary<string, StreamBacklog>(streamIds.Count, StringComparer.Ordinal);
                while (r.Read())
                {
                    backlogs[r.GetString(0)] = ReadBacklog(r, 1);
                }

                return backlogs;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The backlogs of the streams in a JSON array, in one statement: each stream's counts are ranges of
    /// ix_deliveries_stream_state_id and its last error one probe of ix_deliveries_stream_last_error, as for one stream.
    /// </summary>
    internal static readonly string BacklogsSql = $"SELECT s.value, {BacklogColumns("s.value")} FROM json_each($streams) AS s";

    /// <summary>The four backlog columns of the stream <paramref name="stream"/> (a parameter or a column) names.</summary>
    private static string BacklogColumns(string stream) => $"""
        (SELECT count(*) FROM deliveries WHERE stream_id = {stream} AND state = {Pending}),
        (SELECT created_at FROM deliveries WHERE stream_id = {stream} AND state = {Pending} ORDER BY id LIMIT 1),
        (SELECT count(*) FROM deliveries WHERE stream_id = {stream} AND state = {DeadLetter}),
        (SELECT last_error FROM deliveries WHERE stream_id = {stream} AND state IN ({Pending}, {DeadLetter}) AND last_error IS NOT NULL
         ORDER BY coalesce(completed_at, next_attempt_at, created_at) DESC, id DESC LIMIT 1)
        """;

    private static StreamBacklog ReadBacklog(SqliteDataReader r, int first) =>
        new(
            r.GetInt64(first),
            r.IsDBNull(first + 1) ? null : FromUnixMs(r.GetInt64(first + 1)),
            r.GetInt64(first + 2),
            r.IsDBNull(first + 3) ? null : r.GetString(first + 3));

    /// <inheritdoc/>
    public async ValueTask<int> RetryDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await ForDeadLettersAsync($"UPDATE deliveries SET {Requeue}", streamId, jtis, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DiscardDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await ForDeadLettersAsync("DELETE FROM deliveries", streamId, jtis, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> ReplayAsync(string streamId, long? fromPosition, DateTimeOffset? fromTime, string? fromJti, bool dryRun, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var from = context.Command("""
                    SELECT CASE
                        WHEN $jti IS NOT NULL THEN (SELECT id FROM deliveries WHERE jti = $jti AND stream_id = $stream)
                        WHEN $time IS NOT NULL THEN (SELECT min(id) FROM deliveries WHERE stream_id = $stream AND created_at >= $time)
                        ELSE $position END
                    """);
                from.Parameters.AddWithValue("$jti", (object?)fromJti ?? DBNull.Value);
                from.Parameters.AddWithValue("$stream", streamId);
                from.Parameters.AddWithValue("$time", fromTime is { } t ? ToUnixMs(t) : DBNull.Value);
                from.Parameters.AddWithValue("$position", (object?)fromPosition ?? 0L);
                if (from.ExecuteScalar() is not long firstId)
                {
                    return 0;
                }

                var replay = context.Command(dryRun
                    ? $"SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = {Delivered} AND id >= $from"
                    : $"UPDATE deliveries SET {Requeue} WHERE stream_id = $stream AND state = {Delivered} AND id >= $from");
                replay.Parameters.AddWithValue("$stream", streamId);
                replay.Parameters.AddWithValue("$from", firstId);
                return dryRun ? Convert.ToInt32(replay.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) : replay.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    internal const string EventDeliveriesSql = """
        SELECT stream_id, jti, state, attempts, last_error, created_at, completed_at, attempt_log
        FROM deliveries WHERE event_position = $event ORDER BY id
        """;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<EventDelivery>> ReadEventDeliveriesAsync(long eventPosition, CancellationToken cancellationToken) =>
        await ReadListAsync(
            EventDeliveriesSql,
            p => p.AddWithValue("$event", eventPosition),
            r => new EventDelivery(
                r.GetString(0),
                r.GetString(1),
                (DeliveryState)r.GetInt32(2),
                r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetString(4),
                FromUnixMs(r.GetInt64(5)),
                FromUnixMsOrNull(r, 6))
            {
                AttemptLog = AttemptLog.Read(r.IsDBNull(7) ? null : r.GetString(7), _attemptsKept),
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>The next window of entries: how many, the last id, the newest queue time.</summary>
    internal const string EntriesWindowSql = """
        SELECT count(*), max(id), max(created_at)
        FROM (SELECT id, created_at FROM deliveries WHERE id > $after ORDER BY id LIMIT $max)
        """;

    internal const string PurgeEntriesSql = $"""
        DELETE FROM deliveries
        WHERE id > $after AND id <= $last AND state IN ({Delivered}, {DeadLetter}) AND completed_at < $cutoff
        """;

    /// <summary>The next window of events: how many, the last position, the newest receive time.</summary>
    internal const string EventsWindowSql = """
        SELECT count(*), max(position), max(received_at)
        FROM (SELECT position, received_at FROM events WHERE position > $after ORDER BY position LIMIT $max)
        """;

    /// <summary>An event still referred to by an entry stays, whatever its age; the check is one probe of ix_deliveries_event_position.</summary>
    internal const string PurgeEventsSql = """
        DELETE FROM events
        WHERE position > $after AND position <= $last AND received_at < $cutoff
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE event_position = events.position)
        """;

    /// <inheritdoc/>
    public async ValueTask<RetentionStep> PurgeEntriesAsync(DateTimeOffset cutoff, long afterId, int max, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(context => PurgeStep(context, EntriesWindowSql, PurgeEntriesSql, cutoff, afterId, max), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<RetentionStep> PurgeEventsAsync(DateTimeOffset cutoff, long afterPosition, int max, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(context => PurgeStep(context, EventsWindowSql, PurgeEventsSql, cutoff, afterPosition, max), cancellationToken).ConfigureAwait(false);

    private static RetentionStep PurgeStep(SqliteWriteContext context, string windowSql, string deleteSql, DateTimeOffset cutoff, long after, int max)
    {
        var window = context.Command(windowSql);
        window.Parameters.AddWithValue("$after", after);
        window.Parameters.AddWithValue("$max", max);
        long count, last, newest;
        using (var reader = window.ExecuteReader())
        {
            reader.Read();
            count = reader.GetInt64(0);
            if (count == 0)
            {
                return new RetentionStep(0, after, IsLast: true);
            }

            last = reader.GetInt64(1);
            newest = reader.GetInt64(2);
        }

        var delete = context.Command(deleteSql);
        delete.Parameters.AddWithValue("$after", after);
        delete.Parameters.AddWithValue("$last", last);
        delete.Parameters.AddWithValue("$cutoff", ToUnixMs(cutoff));
        var deleted = delete.ExecuteNonQuery();

        // Keys grow with time, so once a window holds rows newer than the cutoff, nothing after it is old enough.
        return new RetentionStep(deleted, last, IsLast: count < max || newest >= ToUnixMs(cutoff));
    }

    private async Task<int> ForDeadLettersAsync(string statement, string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                if (jtis is null)
                {
                    var all = context.Command($"{statement} WHERE stream_id = $stream AND state = {DeadLetter}");
                    all.Parameters.AddWithValue("$stream", streamId);
                    return all.ExecuteNonQuery();
                }

                var changed = 0;
                foreach (var jti in jtis)
                {
                    var one = context.Command($"{statement} WHERE jti = $jti AND stream_id = $stream AND state = {DeadLetter}");
                    one.Parameters.AddWithValue("$jti", jti);
                    one.Parameters.AddWithValue("$stream", streamId);
                    changed += one.ExecuteNonQuery();
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
}
