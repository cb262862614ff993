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

    private const string Settle = $"""
        UPDATE deliveries SET state = $state, completed_at = $at, last_error = coalesce($error, last_error)
        WHERE jti = $jti AND stream_id = $stream AND state = {Pending}
        """;

    /// <summary>
    /// Marks the pending entries named in a JSON array of jtis delivered, in one statement; the count
    /// of changed rows is exact (an unknown, repeated or already settled jti changes nothing).
    /// INDEXED BY, because otherwise the planner prefers the (stream_id, state) index and walks the
    /// stream's whole backlog for each acknowledgement.
    /// </summary>
    internal const string AcknowledgeSql = $"""
        UPDATE deliveries INDEXED BY ux_deliveries_jti_stream SET state = {Delivered}, completed_at = $at
        WHERE jti IN (SELECT value FROM json_each($jtis)) AND stream_id = $stream AND state = {Pending}
        """;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeliveryEntry>> ReadPendingAsync(string streamId, int max, CancellationToken cancellationToken) =>
        await ReadByStateAsync(streamId, DeliveryState.Pending, max, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeliveryEntry>> ReadDeadLettersAsync(string streamId, int max, CancellationToken cancellationToken) =>
        await ReadByStateAsync(streamId, DeliveryState.DeadLetter, max, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<long> CountPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT count(*) FROM deliveries WHERE stream_id = $stream AND state = {Pending}",
            p => p.AddWithValue("$stream", streamId),
            r => r.Read() ? r.GetInt64(0) : 0,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, CancellationToken cancellationToken) =>
        AcknowledgeAsync(streamId, jtis, at, fence: null, cancellationToken);

    private async ValueTask<int> AcknowledgeAsync(string streamId, IReadOnlyCollection<string> jtis, DateTimeOffset at, StreamLease? fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        if (jtis.Count == 0)
        {
            return 0;
        }

        // A poll acknowledges up to a thousand entries at once (RFC 8936 §2.4): one statement for
        // all of them, not one per jti, keeps the writer's share of a poll small.
        var json = JtisJson(jtis);
        return await _writer.ExecuteAsync(
            context =>
            {
                CheckFence(context, fence);
                var command = context.Command(AcknowledgeSql);
                command.Parameters.AddWithValue("$at", ToUnixMs(at));
                command.Parameters.AddWithValue("$jtis", json);
                command.Parameters.AddWithValue("$stream", streamId);
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
                return failures.Sum(f => SettleOne(context, streamId, f.Jti, DeliveryState.DeadLetter, Describe(f), at));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        RecordFailedAttemptAsync(streamId, id, reason, nextAttemptAt, fence: null, cancellationToken);

    private async ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DateTimeOffset nextAttemptAt, StreamLease? fence, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                CheckFence(context, fence);
                var command = context.Command("""
                    UPDATE deliveries SET attempts = attempts + 1, last_error = $error, next_attempt_at = $next
                    WHERE id = $id AND stream_id = $stream
                    """);
                command.Parameters.AddWithValue("$error", reason);
                command.Parameters.AddWithValue("$next", ToUnixMs(nextAttemptAt));
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$stream", streamId);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

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

    private static int SettleOne(SqliteWriteContext context, string streamId, string jti, DeliveryState state, string? error, DateTimeOffset at)
    {
        var command = context.Command(Settle);
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$at", ToUnixMs(at));
        command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
        command.Parameters.AddWithValue("$jti", jti);
        command.Parameters.AddWithValue("$stream", streamId);
        return command.ExecuteNonQuery();
    }

    private static string JtisJson(IReadOnlyCollection<string> jtis)
    {
        var buffer = new ArrayBufferWriter<byte>(jtis.Count * 32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var jti in jtis)
            {
                writer.WriteStringValue(jti);
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
