using Npgsql;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string StreamColumns = """
        stream_id, project, owner_client_id, direction, status, configuration, created_at, updated_at,
        status_reason, last_activity_at, last_verification_at, pause_notice_position, source_error
        """;

    /// <summary>A project's streams, oldest first; served by ix_streams_project_created with no sort.</summary>
    internal const string ListStreamsByProjectSql = $"SELECT {StreamColumns} FROM streams WHERE project = @project ORDER BY created_at, stream_id";

    /// <summary>A client's streams (optionally only in one project), oldest first; served by ix_streams_owner_created with no sort.</summary>
    internal const string ListStreamsByOwnerSql = $"""
        SELECT {StreamColumns} FROM streams
        WHERE owner_client_id = @owner AND (@project IS NULL OR project = @project)
        ORDER BY created_at, stream_id
        """;

    /// <summary>A stream's subjects in the order they were added; served by ix_stream_subjects_stream_seq with no sort.</summary>
    internal const string ListSubjectsSql = """
        SELECT subject_key, subject, verified, added_at, included FROM stream_subjects
        WHERE stream_id = @stream
        ORDER BY seq
        """;

    /// <summary>How many streams a client owns; served by ix_streams_owner_created.</summary>
    internal const string CountStreamsByOwnerSql = "SELECT count(*) FROM streams WHERE owner_client_id = @owner";

    /// <summary>How many subjects a stream records, and whether one of them is this key; served by the primary key.</summary>
    internal const string CountSubjectsSql = "SELECT count(*), coalesce(bool_or(subject_key = @key), false) FROM stream_subjects WHERE stream_id = @stream";

    // A transaction lock held by every counted write (an owner's streams, a stream's subjects; a
    // registration spending an initial access token takes it too, PostgresStore.Clients.cs), so
    // that the count and the insert of concurrent writers on any node follow one another: under READ
    // COMMITTED two writers would otherwise both count below the limit and both insert. One lock for
    // all of them, not one per counted set: a group commit may hold several counted writes, and two
    // batches taking per-set locks in opposite orders would deadlock. These are management writes,
    // rare beside events, so serialising them costs nothing that matters.
    private const string LockCountedSql = "SELECT pg_advisory_xact_lock(hashtextextended('sharpsignals:counted-writes', 0))";

    private const string ListAllStreamsSql = $"SELECT {StreamColumns} FROM streams ORDER BY created_at, stream_id";

    private const string InsertStream = """
        INSERT INTO streams (stream_id, project, owner_client_id, direction, status, status_reason, configuration,
                             created_at, updated_at, last_activity_at, last_verification_at, pause_notice_position)
        VALUES (@stream, @project, @owner, @direction, @status, @reason, @configuration,
                @created, @updated, @activity, @verification, @pause_notice)
        """;

    private const string UpdateStream = """
        UPDATE streams SET project = @project, owner_client_id = @owner, direction = @direction, status = @status,
                           status_reason = @reason, configuration = @configuration, created_at = @created,
                           updated_at = @updated, last_activity_at = @activity, last_verification_at = @verification,
                           pause_notice_position = @pause_notice
        WHERE stream_id = @stream
        """;

    // The receiver's latest word on a subject goes last: its old row goes, and the new one gets the next seq.
    private const string DeleteSubject = "DELETE FROM stream_subjects WHERE stream_id = @stream AND subject_key = @key";

    private const string InsertSubject = """
        INSERT INTO stream_subjects (stream_id, subject_key, subject, verified, added_at, included)
        VALUES (@stream, @key, @subject, @verified, @at, @included)
        """;

    /// <inheritdoc/>
    public async ValueTask CreateStreamAsync(StreamRecord stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await _writer.ExecuteAsync(context => WriteStreamAsync(context, InsertStream, stream), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> CreateStreamWithinLimitAsync(StreamRecord stream, int maxStreamsPerOwner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await _writer.ExecuteAsync(
            async context =>
            {
                if (stream.OwnerClientId is { } owner)
                {
                    var (count, _) = await CountLockedAsync(context, CountStreamsByOwnerSql, p => p.Text("owner", owner)).ConfigureAwait(false);
                    if (count >= maxStreamsPerOwner)
                    {
                        return false;
                    }
                }

                await WriteStreamAsync(context, InsertStream, stream).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StreamRecord?> GetStreamAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"SELECT {StreamColumns} FROM streams WHERE stream_id = @stream",
            p => p.Text("stream", streamId),
            ReadStream,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamRecord>> ListStreamsAsync(string? project, string? ownerClientId, CancellationToken cancellationToken)
    {
        // One statement per filter, so that each is served by its own index rather than a scan.
        var sql = ownerClientId is not null ? ListStreamsByOwnerSql : project is not null ? ListStreamsByProjectSql : ListAllStreamsSql;
        return await ReadListAsync(
            sql,
            p =>
            {
                if (ownerClientId is not null)
                {
                    p.Text("owner", ownerClientId);
                }

                if (ownerClientId is not null || project is not null)
                {
                    p.Text("project", project);
                }
            },
            ReadStream,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> UpdateStreamAsync(StreamRecord stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await _writer.ExecuteAsync(async context => await WriteStreamAsync(context, UpdateStream, stream).ConfigureAwait(false) == 1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask SetSourceErrorAsync(string streamId, string? lastError, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command("UPDATE streams SET source_error = @error WHERE stream_id = @stream");
                command.Parameters.Text("stream", streamId);
                command.Parameters.Text("error", lastError);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> SetCredentialHashAsync(string streamId, string? credentialHash, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                await using var command = context.Command("UPDATE streams SET credential_hash = @hash WHERE stream_id = @stream");
                command.Parameters.Text("stream", streamId);
                command.Parameters.Text("hash", credentialHash);
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<string?> GetCredentialHashAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            "SELECT credential_hash FROM streams WHERE stream_id = @stream",
            p => p.Text("stream", streamId),
            r => ReadTextOrNull(r, 0),
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteStreamAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            async context =>
            {
                // One write, so one transaction: the stream, its subjects and its queue go together.
                await DeleteByStreamAsync(context, "DELETE FROM stream_subjects WHERE stream_id = @stream", streamId).ConfigureAwait(false);
                await DeleteByStreamAsync(context, "DELETE FROM deliveries WHERE stream_id = @stream", streamId).ConfigureAwait(false);
                return await DeleteByStreamAsync(context, "DELETE FROM streams WHERE stream_id = @stream", streamId).ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask AddSubjectAsync(string streamId, StreamSubject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await _writer.ExecuteAsync(context => WriteSubjectAsync(context, streamId, subject), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> AddSubjectWithinLimitAsync(string streamId, StreamSubject subject, int maxSubjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return await _writer.ExecuteAsync(
            async context =>
            {
                var (count, present) = await CountLockedAsync(context, CountSubjectsSql, p =>
                {
                    p.Text("stream", streamId);
                    p.Text("key", subject.SubjectKey);
                }).ConfigureAwait(false);
                if (!present && count >= maxSubjects)
                {
                    return false;
                }

                await WriteSubjectAsync(context, streamId, subject).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamSubject>> ListSubjectsAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadListAsync(
            ListSubjectsSql,
            p => p.Text("stream", streamId),
            r => new StreamSubject(r.GetString(0), r.GetString(1), r.GetBoolean(2), ReadTime(r, 3)) { Included = r.GetBoolean(4) },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask ListAllSubjectsAsync(Action<string, StreamSubject> row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var command = _dataSource.CreateCommand("SELECT stream_id, subject_key, subject, verified, added_at, included FROM stream_subjects ORDER BY stream_id, seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            row(reader.GetString(0), new StreamSubject(reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), ReadTime(reader, 4)) { Included = reader.GetBoolean(5) });
        }
    }

    /// <summary>Takes the counted-writes lock until the transaction ends, then runs a count: its first column, and its second when there is one.</summary>
    private static async Task<(long Count, bool Flag)> CountLockedAsync(PostgresWriteContext context, string countSql, Action<NpgsqlParameterCollection> parameters)
    {
        await using (var lockCommand = context.Command(LockCountedSql))
        {
            await lockCommand.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var count = context.Command(countSql);
        parameters(count.Parameters);
        await using var reader = await count.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return (reader.GetInt64(0), reader.FieldCount > 1 && reader.GetBoolean(1));
    }

    private static async Task<int> WriteSubjectAsync(PostgresWriteContext context, string streamId, StreamSubject subject)
    {
        await using (var previous = context.Command(DeleteSubject))
        {
            previous.Parameters.Text("stream", streamId);
            previous.Parameters.Text("key", subject.SubjectKey);
            await previous.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var command = context.Command(InsertSubject);
        command.Parameters.Text("stream", streamId);
        command.Parameters.Text("key", subject.SubjectKey);
        command.Parameters.Text("subject", subject.Subject);
        command.Parameters.Boolean("verified", subject.Verified);
        command.Parameters.Time("at", subject.AddedAt);
        command.Parameters.Boolean("included", subject.Included);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static async Task<int> WriteStreamAsync(PostgresWriteContext context, string sql, StreamRecord stream)
    {
        await using var command = context.Command(sql);
        command.Parameters.Text("stream", stream.StreamId);
        command.Parameters.Text("project", stream.Project);
        command.Parameters.Text("owner", stream.OwnerClientId);
        command.Parameters.Text("direction", stream.Direction);
        command.Parameters.Text("status", stream.Status);
        command.Parameters.Text("reason", stream.StatusReason);
        command.Parameters.Text("configuration", stream.Configuration);
        command.Parameters.Time("created", stream.CreatedAt);
        command.Parameters.Time("updated", stream.UpdatedAt);
        command.Parameters.Time("activity", stream.LastActivityAt);
        command.Parameters.Time("verification", stream.LastVerificationAt);
        command.Parameters.BigInt("pause_notice", stream.PauseNoticePosition);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static async Task<int> DeleteByStreamAsync(PostgresWriteContext context, string sql, string streamId)
    {
        await using var command = context.Command(sql);
        command.Parameters.Text("stream", streamId);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static StreamRecord ReadStream(NpgsqlDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            ReadTextOrNull(reader, 2),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            ReadTime(reader, 6),
            ReadTime(reader, 7))
        {
            StatusReason = ReadTextOrNull(reader, 8),
            LastActivityAt = ReadTimeOrNull(reader, 9),
            LastVerificationAt = ReadTimeOrNull(reader, 10),
            PauseNoticePosition = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            SourceError = ReadTextOrNull(reader, 12),
        };
}
