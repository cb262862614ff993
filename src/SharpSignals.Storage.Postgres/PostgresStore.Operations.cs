using Npgsql;
using SharpSignals.Storage.Deliveries;
using static SharpSignals.Storage.Deliveries.DeliveryStateSql;

namespace SharpSignals.Storage.Postgres;

/// <summary>What operators do with deliveries: look at the backlog, retry or discard dead letters, replay, purge.</summary>
public sealed partial class PostgresStore
{
    private const string Requeue = $"state = {Pending}, attempts = 0, next_attempt_at = NULL, completed_at = NULL";

    /// <inheritdoc/>
    public async ValueTask<StreamBacklog> GetBacklogAsync(string streamId, CancellationToken cancellationToken) =>
        (await ReadOneAsync(
            $"SELECT {BacklogColumns("@stream")}",
            p => p.Text("stream", streamId),
            r => ReadBacklog(r, 0),
            cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<string, StreamBacklog>> GetBacklogsAsync(IReadOnlyCollection<string> streamIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streamIds);
        if (streamIds.Count == 0)
        {
            return new Dictionary<string, StreamBacklog>(StringComparer.Ordinal);
        }

        // One statement: each stream's counts are probes of ix_deliveries_stream_state_id, as for one stream.
        var rows = await ReadListAsync(
            $"SELECT s.stream_id, {BacklogColumns("s.stream_id")} FROM unnest(@streams) AS s (stream_id)",
            p => p.TextArray("streams", streamIds),
            r => (StreamId: r.GetString(0), Backlog: ReadBacklog(r, 1)),
            cancellationToken).ConfigureAwait(false);
        var backlogs = new Dictionary<string, StreamBacklog>(rows.Count, StringComparer.Ordinal);
        foreach (var (streamId, backlog) in rows)
        {
            backlogs[streamId] = backlog;
        }

        return backlogs;
    }

    /// <summary>The four backlog columns of the stream <paramref name="stream"/> (a parameter or a column) names.</summary>
    private static string BacklogColumns(string stream) => $"""
        (SELECT count(*) FROM deliveries WHERE stream_id = {stream} AND state = {Pending}),
        (SELECT created_at FROM deliveries WHERE stream_id = {stream} AND state = {Pending} ORDER BY id LIMIT 1),
        (SELECT count(*) FROM deliveries WHERE stream_id = {stream} AND state = {DeadLetter}),
        (SELECT last_error FROM deliveries WHERE stream_id = {stream} AND state IN ({Pending}, {DeadLetter}) AND last_error IS NOT NULL
         ORDER BY coalesce(completed_at, next_attempt_at, created_at) DESC, id DESC LIMIT 1)
        """;

    private static StreamBacklog ReadBacklog(NpgsqlDataReader r, int first) =>
        new(r.GetInt64(first), ReadTimeOrNull(r, first + 1), r.GetInt64(first + 2), ReadTextOrNull(r, first + 3));

    /// <inheritdoc/>
    public async ValueTask<int> RetryDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await ForDeadLettersAsync($"UPDATE deliveries SET {Requeue}", streamId, jtis, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DiscardDeadLettersAsync(string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await ForDeadLettersAsync("DELETE FROM deliveries", streamId, jtis, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> ReplayAsync(string streamId, long? fromPosition, DateTimeOffset? fromTime, string? fromJti, bool dryRun, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                long firstId;
                await using (var from = context.Command("""
                    SELECT CASE
                        WHEN @jti IS NOT NULL THEN (SELECT id FROM deliveries WHERE jti = @jti AND stream_id = @stream)
                        WHEN @time IS NOT NULL THEN (SELECT min(id) FROM deliveries WHERE stream_id = @stream AND created_at >= @time)
                        ELSE @position END
                    """))
                {
                    from.Parameters.Text("jti", fromJti);
                    from.Parameters.Text("stream", streamId);
                    from.Parameters.Time("time", fromTime);
                    from.Parameters.BigInt("position", fromPosition ?? 0L);
                    if (await from.ExecuteScalarAsync().ConfigureAwait(false) is not long id)
                    {
                        return 0;
                    }

                    firstId = id;
                }

                await using var replay = context.Command(dryRun
                    ? $"SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = {Delivered} AND id >= @from"
                    : $"UPDATE deliveries SET {Requeue} WHERE stream_id = @stream AND state = {Delivered} AND id >= @from");
                replay.Parameters.Text("stream", streamId);
                replay.Parameters.BigInt("from", firstId);
                return dryRun
                    ? Convert.ToInt32(await replay.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture)
                    : await replay.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<EventDelivery>> ReadEventDeliveriesAsync(long eventPosition, CancellationToken cancellationToken) =>
        await ReadListAsync(
            """
            SELECT stream_id, jti, state, attempts, last_error, created_at, completed_at, attempt_log::text
            FROM deliveries WHERE event_position = @event ORDER BY id
            """,
            p => p.BigInt("event", eventPosition),
            r => new EventDelivery(r.GetString(0), r.GetString(1), (DeliveryState)r.GetInt16(2), r.GetInt32(3), ReadTextOrNull(r, 4), ReadTime(r, 5), ReadTimeOrNull(r, 6))
            {
                AttemptLog = AttemptLog.Read(ReadTextOrNull(r, 7), _attemptsKept),
            },
            cancellationToken).ConfigureAwait(false);

    private const string EntriesWindowSql =
        "SELECT count(*), max(id), max(created_at) FROM (SELECT id, created_at FROM deliveries WHERE id > @after ORDER BY id LIMIT @max) w";

    private const string PurgeEntriesSql =
        $"DELETE FROM deliveries WHERE id > @after AND id <= @last AND state IN ({Delivered}, {DeadLetter}) AND completed_at < @cutoff";

    private const string EventsWindowSql =
        "SELECT count(*), max(position), max(received_at) FROM (SELECT position, received_at FROM events WHERE position > @after ORDER BY position LIMIT @max) w";

    /// <summary>An event still referred to by an entry stays, whatever its age: one probe of ix_deliveries_event_position.</summary>
    private const string PurgeEventsSql = """
        DELETE FROM events
        WHERE position > @after AND position <= @last AND received_at < @cutoff
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE event_position = events.position)
        """;

    /// <inheritdoc/>
    public async ValueTask<RetentionStep> PurgeEntriesAsync(DateTimeOffset cutoff, long afterId, int max, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(context => PurgeStepAsync(context, EntriesWindowSql, PurgeEntriesSql, cutoff, afterId, max), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<RetentionStep> PurgeEventsAsync(DateTimeOffset cutoff, long afterPosition, int max, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(context => PurgeStepAsync(context, EventsWindowSql, PurgeEventsSql, cutoff, afterPosition, max), cancellationToken).ConfigureAwait(false);

    private static async Task<RetentionStep> PurgeStepAsync(PostgresWriteContext context, string windowSql, string deleteSql, DateTimeOffset cutoff, long after, int max)
    {
        long count, last;
        DateTimeOffset newest;
        await using (var window = context.Command(windowSql))
        {
            window.Parameters.BigInt("after", after);
            window.Parameters.Integer("max", max);
            await using var reader = await window.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            count = reader.GetInt64(0);
            if (count == 0)
            {
                return new RetentionStep(0, after, IsLast: true);
            }

            last = reader.GetInt64(1);
            newest = ReadTime(reader, 2);
        }

        await using var delete = context.Command(deleteSql);
        delete.Parameters.BigInt("after", after);
        delete.Parameters.BigInt("last", last);
        delete.Parameters.Time("cutoff", cutoff);
        var deleted = await delete.ExecuteNonQueryAsync().ConfigureAwait(false);

        // Keys grow with time, so once a window holds rows newer than the cutoff, nothing after it is old enough.
        return new RetentionStep(deleted, last, IsLast: count < max || newest >= cutoff);
    }

    private async Task<int> ForDeadLettersAsync(string statement, string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                if (jtis is null)
                {
                    await using var all = context.Command($"{statement} WHERE stream_id = @stream AND state = {DeadLetter}");
                    all.Parameters.Text("stream", streamId);
                    return await all.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await using var some = context.Command($"{statement} WHERE jti = ANY (@jtis) AND stream_id = @stream AND state = {DeadLetter}");
                some.Parameters.TextArray("jtis", jtis);
                some.Parameters.Text("stream", streamId);
                return await some.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
}
