using Npgsql;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using static SharpSignals.Storage.Deliveries.DeliveryStateSql;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>Pending (or dead) entries of a stream, oldest first; served by ix_deliveries_stream_state_id with no sort.</summary>
    internal const string ReadByStateSql = """
        SELECT d.id, d.stream_id, d.event_position, d.jti, d.token, e.token, d.state, d.attempts,
               d.next_attempt_at, d.last_error, d.created_at, e.trace_parent
        FROM deliveries d JOIN events e ON e.position = d.event_position
        WHERE d.stream_id = @stream AND d.state = @state
        ORDER BY d.id
        LIMIT @max
        """;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeliveryEntry>> ReadPendingAsync(string streamId, int max, CancellationToken cancellationToken) =>
        await ReadByStateAsync(streamId, DeliveryState.Pending, max, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersAsync(string streamId, int max, CancellationToken cancellationToken) =>
        await ReadByStateAsync(streamId, DeliveryState.DeadLetter, max, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersPageAsync(IReadOnlyCollection<string>? streamIds, long? beforeId, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (streamIds is { Count: 0 })
        {
            return [];
        }

        // Every stream: a backward walk of ix_deliveries_dead_letters (dead letters only). Some
        // streams: their dead letters by ix_deliveries_stream_state_id, the newest kept by a top-N sort.
        return await ReadListAsync(
            streamIds is null ? DeadLettersPageSql : DeadLettersPageOfStreamsSql,
            p =>
            {
                p.BigInt("before", beforeId ?? long.MaxValue);
                p.Integer("max", max);
                if (streamIds is not null)
                {
                    p.TextArray("streams", streamIds);
                }
            },
            ReadEntry,
            cancellationToken).ConfigureAwait(false);
    }

    private const string DeadLettersPageColumns = """
        SELECT d.id, d.stream_id, d.event_position, d.jti, d.token, e.token, d.state, d.attempts,
               d.next_attempt_at, d.last_error, d.created_at, e.trace_parent
        FROM deliveries d JOIN events e ON e.position = d.event_position
        """;

    private const string DeadLettersPageSql = $"""
        {DeadLettersPageColumns}
        WHERE d.state = {DeadLetter} AND d.id < @before
        ORDER BY d.id DESC
        LIMIT @max
        """;

    private const string DeadLettersPageOfStreamsSql = $"""
        {DeadLettersPageColumns}
        WHERE d.state = {DeadLetter} AND d.id < @before AND d.stream_id = ANY (@streams)
        ORDER BY d.id DESC
        LIMIT @max
        """;

    /// <inheritdoc/>
    public async ValueTask<long> CountPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = {Pending}",
            p => p.Text("stream", streamId),
            r => r.GetInt64(0),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    private static readonly string AcknowledgeSql = $"""
        UPDATE deliveries SET state = {Delivered}, completed_at = @at, attempts = attempts + 1, attempt_log = {AppendAttempt("@attempt")}
        WHERE jti = ANY (@jtis) AND stream_id = @stream AND state = {Pending}
        """;

    /// <summary>The entries a push delivered, each with its own attempt: one statement for the batch, the pairs unnested side by side.</summary>
    private static readonly string AcknowledgePushedSql = $"""
        UPDATE deliveries SET state = {Delivered}, completed_at = @at, attempts = attempts + 1, attempt_log = {AppendAttempt("a.attempt::jsonb")}
        FROM unnest(@jtis, @attempts) AS a (jti, attempt)
        WHERE deliveries.jti = a.jti AND deliveries.stream_id = @stream AND deliveries.state = {Pending}
        """;

    /// <summary>A failure with an attempt counts it and keeps it; one without (the server gave the entry up) only settles.</summary>
    private static readonly string DeadLetterSql = $"""
        UPDATE deliveries SET state = {DeadLetter}, completed_at = @at, last_error = @error,
            attempts = attempts + (CASE WHEN @attempt IS NULL THEN 0 ELSE 1 END),
            attempt_log = CASE WHEN @attempt IS NULL THEN attempt_log ELSE {AppendAttempt("@attempt")} END
        WHERE jti = @jti AND stream_id = @stream AND state = {Pending}
        """;

    private static readonly string RecordFailedAttemptSql = $"""
        UPDATE deliveries SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, attempt_log = {AppendAttempt("@attempt")}
        WHERE id = @id AND stream_id = @stream
        """;

    /// <inheritdoc/>
    public async ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        if (jtis.Count == 0)
        {
            return 0;
        }

        var attempt = AttemptLog.Write(new DeliveryAttempt(at));
        return await _writer.ExecuteAsync(
            async context =>
            {
                // One statement for the whole acknowledgement; a jti named twice still settles one entry.
                await using var command = context.Command(AcknowledgeSql);
                command.Parameters.Time("at", at);
                command.Parameters.TextArray("jtis", jtis);
                command.Parameters.Text("stream", streamId);
                command.Parameters.Jsonb("attempt", attempt);
                command.Parameters.Integer("kept", _attemptsKept);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<int> AcknowledgePushedAsync(StreamLease fence, IReadOnlyCollection<DeliveredEntry> delivered, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        if (delivered.Count == 0)
        {
            return 0;
        }

        var jtis = delivered.Select(d => d.Jti).ToArray();
        var attempts = delivered.Select(d => AttemptLog.Write(d.Attempt)).ToArray();
        return await _writer.ExecuteAsync(
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);
                await using var command = context.Command(AcknowledgePushedSql);
                command.Parameters.Time("at", at);
                command.Parameters.TextArray("jtis", jtis);
                command.Parameters.TextArray("attempts", attempts);
                command.Parameters.Text("stream", fence.StreamId);
                command.Parameters.Integer("kept", _attemptsKept);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The value of <c>attempt_log</c> with one more attempt at its end, the oldest dropped once the
    /// entry keeps <c>@kept</c>: a JSON array in the entry's row, so that the statement settling the
    /// entry or scheduling its retry records the attempt too.
    /// </summary>
    private static string AppendAttempt(string attempt) => $"""
        CASE WHEN attempt_log IS NULL THEN jsonb_build_array({attempt})
             WHEN jsonb_array_length(attempt_log) < @kept THEN attempt_log || jsonb_build_array({attempt})
             ELSE (attempt_log - 0) || jsonb_build_array({attempt}) END
        """;

    /// <inheritdoc/>
    public ValueTask<int> DeadLetterAsync(string streamId, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, CancellationToken cancellationToken) =>
        DeadLetterAsync(streamId, failures, at, fence: null, cancellationToken);

    private async ValueTask<int> DeadLetterAsync(string streamId, IReadOnlyCollection<DeliveryFailure> failures, DateTimeOffset at, StreamLease? fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (failures.Count == 0)
        {
            return 0;
        }

        return await _writer.ExecuteAsync(
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);
                var changed = 0;
                foreach (var failure in failures)
                {
                    await using var command = context.Command(DeadLetterSql);
                    command.Parameters.Time("at", at);
                    command.Parameters.Text("error", Describe(failure));
                    command.Parameters.Jsonb("attempt", failure.Attempt is { } attempt ? AttemptLog.Write(attempt) : null);
                    command.Parameters.Integer("kept", _attemptsKept);
                    command.Parameters.Text("jti", failure.Jti);
                    command.Parameters.Text("stream", streamId);
                    changed += await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        RecordFailedAttemptAsync(streamId, id, reason, attempt, nextAttemptAt, fence: null, cancellationToken);

    private async ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, StreamLease? fence, CancellationToken cancellationToken)
    {
        var json = AttemptLog.Write(attempt);
        await _writer.ExecuteAsync(
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);
                await using var command = context.Command(RecordFailedAttemptSql);
                command.Parameters.Text("error", reason);
                command.Parameters.Time("next", nextAttemptAt);
                command.Parameters.Jsonb("attempt", json);
                command.Parameters.Integer("kept", _attemptsKept);
                command.Parameters.BigInt("id", id);
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask StoreTokenAsync(string streamId, long id, string token, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                // Only the first signature is kept: a retry must resend the same bytes and jti.
                await using var command = context.Command("UPDATE deliveries SET token = @token WHERE id = @id AND stream_id = @stream AND token IS NULL");
                command.Parameters.Text("token", token);
                command.Parameters.BigInt("id", id);
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DiscardPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command($"DELETE FROM deliveries WHERE stream_id = @stream AND state = {Pending}");
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> RetryPendingNowAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command($"UPDATE deliveries SET next_attempt_at = NULL WHERE stream_id = @stream AND state = {Pending} AND next_attempt_at IS NOT NULL");
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<DeliveryEntry>> ReadByStateAsync(string streamId, DeliveryState state, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return await ReadListAsync(
            ReadByStateSql,
            p =>
            {
                p.Text("stream", streamId);
                p.SmallInt("state", (short)state);
                p.Integer("max", max);
            },
            ReadEntry,
            cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(DeliveryFailure failure) =>
        string.IsNullOrEmpty(failure.Description) ? failure.Error : $"{failure.Error}: {failure.Description}";

    private static DeliveryEntry ReadEntry(NpgsqlDataReader reader) =>
        new(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetString(3),
            ReadTextOrNull(reader, 4),
            reader.GetString(5),
            (DeliveryState)reader.GetInt16(6),
            reader.GetInt32(7),
            ReadTimeOrNull(reader, 8),
            ReadTextOrNull(reader, 9),
            ReadTime(reader, 10))
        {
            TraceParent = ReadTextOrNull(reader, 11),
        };
}
