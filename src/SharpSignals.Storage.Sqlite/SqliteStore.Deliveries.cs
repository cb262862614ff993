using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using static SharpSignals.Storage.Deliveries.DeliveryStateSql;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>Pending (or dead) entries of a stream, oldest first; served by ix_deliveries_stream_state_id with no sort.</summary>
    internal const string ReadByStateSql = """
        SELECT d.id, d.stream_id, d.event_position, d.jti, d.token, e.token, d.state, d.attempts,
               d.next_attempt_at, d.last_error, d.created_at, e.trace_parent
        FROM deliveries d JOIN events e ON e.position = d.event_position
        WHERE d.stream_id = $stream AND d.state = $state
        ORDER BY d.id
        LIMIT $max
        """;

    /// <summary>A failure with an attempt counts it and keeps it; one without (the server gave the entry up) only settles.</summary>
    private static readonly string Settle = $"""
        UPDATE deliveries SET state = $state, completed_at = $at, last_error = coalesce($error, last_error),
            attempts = attempts + ($attempt IS NOT NULL),
            attempt_log = CASE WHEN $attempt IS NULL THEN attempt_log ELSE {AppendAttempt("$attempt")} END
        WHERE jti = $jti AND stream_id = $stream AND state = {Pending}
        """;

    /// <summary>
    /// Marks the pending entries named in a JSON array of jtis delivered, in one statement; the count
    /// of changed rows is exact (an unknown, repeated or already settled jti changes nothing).
    /// INDEXED BY, because otherwise the planner prefers the (stream_id, state) index and walks the
    /// stream's whole backlog for each acknowledgement.
    /// </summary>
    internal static readonly string AcknowledgeSql = $"""
        UPDATE deliveries INDEXED BY ux_deliveries_jti_stream
        SET state = {Delivered}, completed_at = $at, attempts = attempts + 1, attempt_log = {AppendAttempt("$attempt")}
        WHERE jti IN (SELECT value FROM json_each($jtis)) AND stream_id = $stream AND state = {Pending}
        """;

    /// <summary>
    /// Marks the pending entries a push delivered, named in a JSON array of <c>[jti, attempt]</c>
    /// pairs, each keeping its own attempt: one statement for the batch, as <see cref="AcknowledgeSql"/>,
    /// the jti index probed once per pair.
    /// </summary>
    internal static readonly string AcknowledgePushedSql = $"""
        UPDATE deliveries INDEXED BY ux_deliveries_jti_stream
        SET state = {Delivered}, completed_at = $at, attempts = attempts + 1, attempt_log = {AppendAttempt("a.attempt")}
        FROM (SELECT json_extract(value, '$[0]') AS jti, json_extract(value, '$[1]') AS attempt FROM json_each($delivered)) AS a
        WHERE deliveries.jti = a.jti AND deliveries.stream_id = $stream AND deliveries.state = {Pending}
        """;

    private static readonly string RecordFailedAttemptSql = $"""
        UPDATE deliveries SET attempts = attempts + 1, last_error = $error, next_attempt_at = $next, attempt_log = {AppendAttempt("$attempt")}
        WHERE id = $id AND stream_id = $stream
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

        // Every stream: a backward walk of ix_deliveries_dead_letters (state = DeadLetter only, so
        // delivered entries are never read). Some streams: their dead letters by
        // ix_deliveries_stream_state_id, the newest kept by a top-N sort.
        return await ReadAsync(
            streamIds is null ? DeadLettersPageSql : DeadLettersPageOfStreamsSql,
            p =>
            {
                p.AddWithValue("$before", beforeId ?? long.MaxValue);
                p.AddWithValue("$max", max);
                if (streamIds is not null)
                {
                    p.AddWithValue("$streams", StringArrayJson(streamIds));
                }
            },
            ReadEntries,
            cancellationToken).ConfigureAwait(false);
    }

    private const string DeadLettersPageColumns = """
        SELECT d.id, d.stream_id, d.event_position, d.jti, d.token, e.token, d.state, d.attempts,
               d.next_attempt_at, d.last_error, d.created_at, e.trace_parent
        FROM deliveries d JOIN events e ON e.position = d.event_position
        """;

    internal const string DeadLettersPageSql = $"""
        {DeadLettersPageColumns}
        WHERE d.state = {DeadLetter} AND d.id < $before
        ORDER BY d.id DESC
        LIMIT $max
        """;

    internal const string DeadLettersPageOfStreamsSql = $"""
        {DeadLettersPageColumns}
        WHERE d.state = {DeadLetter} AND d.id < $before AND d.stream_id IN (SELECT value FROM json_each($streams))
        ORDER BY d.id DESC
        LIMIT $max
        """;

    /// <inheritdoc/>
    public async ValueTask<long> CountPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = {Pending}",
            p => p.AddWithValue("$stream", streamId),
            r => r.Read() ? r.GetInt64(0) : 0,
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The value of <c>attempt_log</c> with one more attempt at its end, the oldest dropped once the
    /// entry keeps <c>$kept</c>: a JSON array in the entry's row, so that the statement settling
    /// the entry or scheduling its retry records the attempt too.
    /// </summary>
    private static string AppendAttempt(string attempt) => $"""
        CASE WHEN attempt_log IS NULL THEN json_array(json({attempt}))
             WHEN json_array_length(attempt_log) < $kept THEN json_insert(attempt_log, '$[#]', json({attempt}))
             ELSE json_insert(json_remove(attempt_log, '$[0]'), '$[#]', json({attempt})) END
        """;

    /// <inheritdoc/>
    public async ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        if (jtis.Count == 0)
        {
            return 0;
        }

        // A poll acknowledges up to a thousand entries at once (RFC 8936 §2.4): one statement for
        // all of them, not one per jti, keeps the writer's share of a poll small.
        var json = StringArrayJson(jtis);
        var attempt = AttemptLog.Write(new DeliveryAttempt(at));
        return await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command(AcknowledgeSql);
                command.Parameters.AddWithValue("$at", ToUnixMs(at));
                command.Parameters.AddWithValue("$jtis", json);
                command.Parameters.AddWithValue("$stream", streamId);
                command.Parameters.AddWithValue("$attempt", attempt);
                command.Parameters.AddWithValue("$kept", _attemptsKept);
                return command.ExecuteNonQuery();
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

        var pairs = AttemptLog.WritePairs(delivered);
        return await _writer.ExecuteAsync(
            context =>
            {
                CheckFence(context, fence);
                var command = context.Command(AcknowledgePushedSql);
                command.Parameters.AddWithValue("$at", ToUnixMs(at));
                command.Parameters.AddWithValue("$delivered", pairs);
                command.Parameters.AddWithValue("$stream", fence.StreamId);
                command.Parameters.AddWithValue("$kept", _attemptsKept);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

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
            context =>
            {
                CheckFence(context, fence);
                return failures.Sum(f => SettleOne(context, streamId, f, at));
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
            context =>
            {
                CheckFence(context, fence);
                var command = context.Command(RecordFailedAttemptSql);
                command.Parameters.AddWithValue("$error", reason);
                command.Parameters.AddWithValue("$next", ToUnixMs(nextAttemptAt));
                command.Parameters.AddWithValue("$attempt", json);
                command.Parameters.AddWithValue("$kept", _attemptsKept);
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$stream", streamId);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask StoreTokenAsync(string streamId, long id, string token, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                // Only the first signature is kept: a retry must resend the same bytes and jti.
                var command = context.Command("UPDATE deliveries SET token = $token WHERE id = $id AND stream_id = $stream AND token IS NULL");
                command.Parameters.AddWithValue("$token", token);
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$stream", streamId);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<int> DiscardPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command($"DELETE FROM deliveries WHERE stream_id = $stream AND state = {Pending}");
                command.Parameters.AddWithValue("$stream", streamId);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> RetryPendingNowAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command($"UPDATE deliveries SET next_attempt_at = NULL WHERE stream_id = $stream AND state = {Pending} AND next_attempt_at IS NOT NULL");
                command.Parameters.AddWithValue("$stream", streamId);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<DeliveryEntry>> ReadByStateAsync(string streamId, DeliveryState state, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return await ReadAsync(
            ReadByStateSql,
            p =>
            {
                p.AddWithValue("$stream", streamId);
                p.AddWithValue("$state", (int)state);
                p.AddWithValue("$max", max);
            },
            ReadEntries,
            cancellationToken).ConfigureAwait(false);
    }

    private int SettleOne(SqliteWriteContext context, string streamId, DeliveryFailure failure, DateTimeOffset at)
    {
        var command = context.Command(Settle);
        command.Parameters.AddWithValue("$state", (int)DeliveryState.DeadLetter);
        command.Parameters.AddWithValue("$at", ToUnixMs(at));
        command.Parameters.AddWithValue("$error", Describe(failure));
        command.Parameters.AddWithValue("$attempt", failure.Attempt is { } attempt ? AttemptLog.Write(attempt) : DBNull.Value);
        command.Parameters.AddWithValue("$kept", _attemptsKept);
        command.Parameters.AddWithValue("$jti", failure.Jti);
        command.Parameters.AddWithValue("$stream", streamId);
        return command.ExecuteNonQuery();
    }

    /// <summary>Strings (jtis, stream ids) as one JSON array, for <c>json_each</c>: a list of any length in one parameter.</summary>
    private static string StringArrayJson(IReadOnlyCollection<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(values.Count * 32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Describe(DeliveryFailure failure) =>
        string.IsNullOrEmpty(failure.Description) ? failure.Error : $"{failure.Error}: {failure.Description}";

    private static List<DeliveryEntry> ReadEntries(SqliteDataReader reader)
    {
        var entries = new List<DeliveryEntry>();
        while (reader.Read())
        {
            entries.Add(new DeliveryEntry(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                (DeliveryState)reader.GetInt32(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : FromUnixMs(reader.GetInt64(8)),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                FromUnixMs(reader.GetInt64(10)))
            {
                TraceParent = reader.IsDBNull(11) ? null : reader.GetString(11),
            });
        }

        return entries;
    }
}
