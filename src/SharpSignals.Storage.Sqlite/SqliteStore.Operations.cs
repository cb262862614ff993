using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Sqlite;

/// <summary>What operators do with deliveries: look at the backlog, retry or discard dead letters, replay, purge.</summary>
public sealed partial class SqliteStore
{
    private const string Requeue = "state = 0, attempts = 0, next_attempt_at = NULL, completed_at = NULL";

    /// <inheritdoc/>
    public async ValueTask<StreamBacklog> GetBacklogAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            """
            SELECT
                (SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = 0),
                (SELECT created_at FROM deliveries WHERE stream_id = $stream AND state = 0 ORDER BY id LIMIT 1),
                (SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = 2),
                (SELECT last_error FROM deliveries WHERE stream_id = $stream AND state IN (0, 2) AND last_error IS NOT NULL
                 ORDER BY coalesce(completed_at, next_attempt_at, created_at) DESC, id DESC LIMIT 1)
            """,
            p => p.AddWithValue("$stream", streamId),
            r =>
            {
                r.Read();
                return new StreamBacklog(
                    r.GetInt64(0),
                    r.IsDBNull(1) ? null : FromUnixMs(r.GetInt64(1)),
                    r.GetInt64(2),
                    r.IsDBNull(3) ? null : r.GetString(3));
            },
            cancellationToken).ConfigureAwait(false);

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
                    ? "SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = 1 AND id >= $from"
                    : $"UPDATE deliveries SET {Requeue} WHERE stream_id = $stream AND state = 1 AND id >= $from");
                replay.Parameters.AddWithValue("$stream", streamId);
                replay.Parameters.AddWithValue("$from", firstId);
                return dryRun ? Convert.ToInt32(replay.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) : replay.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<(int Entries, int Events)> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var entries = context.Command("DELETE FROM deliveries WHERE state IN (1, 2) AND completed_at < $cutoff");
                entries.Parameters.AddWithValue("$cutoff", ToUnixMs(cutoff));
                var deletedEntries = entries.ExecuteNonQuery();

                // Events older than the oldest one still referenced are referenced by nothing: no
                // per-event lookup, and never an event an entry still needs.
                var events = context.Command("""
                    DELETE FROM events
                    WHERE received_at < $cutoff
                      AND position < coalesce((SELECT min(event_position) FROM deliveries), 9223372036854775807)
                    """);
                events.Parameters.AddWithValue("$cutoff", ToUnixMs(cutoff));
                return (deletedEntries, events.ExecuteNonQuery());
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<int> ForDeadLettersAsync(string statement, string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                if (jtis is null)
                {
                    var all = context.Command($"{statement} WHERE stream_id = $stream AND state = 2");
                    all.Parameters.AddWithValue("$stream", streamId);
                    return all.ExecuteNonQuery();
                }

                var changed = 0;
                foreach (var jti in jtis)
                {
                    var one = context.Command($"{statement} WHERE jti = $jti AND stream_id = $stream AND state = 2");
                    one.Parameters.AddWithValue("$jti", jti);
                    one.Parameters.AddWithValue("$stream", streamId);
                    changed += one.ExecuteNonQuery();
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
}
