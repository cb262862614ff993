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
    public async ValueTask<long> CountPendingAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = {Pending}",
            p => p.Text("stream", streamId),
            r => r.GetInt64(0),
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

        return await _writer.ExecuteAsync(
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);

                // One statement for the whole acknowledgement; a jti named twice still settles one entry.
                await using var command = context.Command($"""
                    UPDATE deliveries SET state = {Delivered}, completed_at = @at
                    WHERE jti = ANY (@jtis) AND stream_id = @stream AND state = {Pending}
                    """);
                command.Parameters.Time("at", at);
                command.Parameters.TextArray("jtis", jtis);
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
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
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);
                var changed = 0;
                foreach (var failure in failures)
                {
                    await using var command = context.Command($"""
                        UPDATE deliveries SET state = {DeadLetter}, completed_at = @at, last_error = @error
                        WHERE jti = @jti AND stream_id = @stream AND state = {Pending}
                        """);
                    command.Parameters.Time("at", at);
                    command.Parameters.Text("error", Describe(failure));
                    command.Parameters.Text("jti", failure.Jti);
                    command.Parameters.Text("stream", streamId);
                    changed += await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        RecordFailedAttemptAsync(streamId, id, reason, nextAttemptAt, fence: null, cancellationToken);

    private async ValueTask RecordFailedAttemptAsync(string streamId, long id, string reason, DateTimeOffset nextAttemptAt, StreamLease? fence, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await CheckFenceAsync(context, fence).ConfigureAwait(false);
                await using var command = context.Command("""
                    UPDATE deliveries SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next
                    WHERE id = @id AND stream_id = @stream
                    """);
                command.Parameters.Text("error", reason);
                command.Parameters.Time("next", nextAttemptAt);
                command.Parameters.BigInt("id", id);
                command.Parameters.Text("stream", streamId);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

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
