using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Postgres;

/// <summary>What operators do with deliveries: look at the backlog, retry or discard dead letters, replay, purge.</summary>
public sealed partial class PostgresStore
{
    private const string Requeue = "state = 0, attempts = 0, next_attempt_at = NULL, completed_at = NULL";

    /// <inheritdoc/>
    public async ValueTask<StreamBacklog> GetBacklogAsync(string streamId, CancellationToken cancellationToken) =>
        (await ReadOneAsync(
            """
            SELECT
                (SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = 0),
                (SELECT created_at FROM deliveries WHERE stream_id = @stream AND state = 0 ORDER BY id LIMIT 1),
                (SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = 2),
                (SELECT last_error FROM deliveries WHERE stream_id = @stream AND state IN (0, 2) AND last_error IS NOT NULL
                 ORDER BY coalesce(completed_at, next_attempt_at, created_at) DESC, id DESC LIMIT 1)
            """,
            p => p.Text("stream", streamId),
            r => new StreamBacklog(r.GetInt64(0), ReadTimeOrNull(r, 1), r.GetInt64(2), ReadTextOrNull(r, 3)),
            cancellationToken).ConfigureAwait(false))!;

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
                    ? "SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = 1 AND id >= @from"
                    : $"UPDATE deliveries SET {Requeue} WHERE stream_id = @stream AND state = 1 AND id >= @from");
                replay.Parameters.Text("stream", streamId);
                replay.Parameters.BigInt("from", firstId);
                return dryRun
                    ? Convert.ToInt32(await replay.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture)
                    : await replay.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<(int Entries, int Events)> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                int deletedEntries;
                await using (var entries = context.Command("DELETE FROM deliveries WHERE state IN (1, 2) AND completed_at < @cutoff"))
                {
                    entries.Parameters.Time("cutoff", cutoff);
                    deletedEntries = await entries.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                // Events older than the oldest one still referenced are referenced by nothing: no
                // per-event lookup, and never an event an entry still needs.
                await using var events = context.Command("""
                    DELETE FROM events
                    WHERE received_at < @cutoff
                      AND position < coalesce((SELECT min(event_position) FROM deliveries), 9223372036854775807)
                    """);
                events.Parameters.Time("cutoff", cutoff);
                return (deletedEntries, await events.ExecuteNonQueryAsync().ConfigureAwait(false));
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<int> ForDeadLettersAsync(string statement, string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                if (jtis is null)
                {
                    await using var all = context.Command($"{statement} WHERE stream_id = @stream AND state = 2");
                    all.Parameters.Text("stream", streamId);
                    return await all.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await using var some = context.Command($"{statement} WHERE jti = ANY (@jtis) AND stream_id = @stream AND state = 2");
                some.Parameters.TextArray("jtis", jtis);
                some.Parameters.Text("stream", streamId);
                return await some.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
}
