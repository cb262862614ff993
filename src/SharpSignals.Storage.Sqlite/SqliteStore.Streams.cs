using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string StreamColumns = """
        stream_id, project, owner_client_id, direction, status, configuration, created_at, updated_at,
        status_reason, last_activity_at, last_verification_at, pause_notice_position, source_error
        """;

    /// <summary>A project's streams, oldest first; served by ix_streams_project_created with no sort.</summary>
    internal const string ListStreamsByProjectSql = $"SELECT {StreamColumns} FROM streams WHERE project = $project ORDER BY created_at, stream_id";

    /// <summary>A client's streams (optionally only in one project), oldest first; served by ix_streams_owner_created with no sort.</summary>
    internal const string ListStreamsByOwnerSql = $"""
        SELECT {StreamColumns} FROM streams
        WHERE owner_client_id = $owner AND ($project IS NULL OR project = $project)
        ORDER BY created_at, stream_id
        """;

    /// <summary>A stream's subjects in the order they were added: rowid order, sorted over that stream's rows only.</summary>
    internal const string ListSubjectsSql = """
        SELECT subject_key, subject, verified, added_at, included FROM stream_subjects
        WHERE stream_id = $stream
        ORDER BY rowid
        """;

    /// <summary>How many streams a client owns; served by ix_streams_owner_created.</summary>
    internal const string CountStreamsByOwnerSql = "SELECT count(*) FROM streams WHERE owner_client_id = $owner";

    /// <summary>How many subjects a stream records, and whether one of them is this key; served by the primary key.</summary>
    internal const string CountSubjectsSql = "SELECT count(*), ifnull(max(subject_key = $key), 0) FROM stream_subjects WHERE stream_id = $stream";

    private const string ListAllStreamsSql = $"SELECT {StreamColumns} FROM streams ORDER BY created_at, stream_id";

    private const string InsertStream = """
        INSERT INTO streams (stream_id, project, owner_client_id, direction, status, status_reason, configuration,
                             created_at, updated_at, last_activity_at, last_verification_at, pause_notice_position)
        VALUES ($stream, $project, $owner, $direction, $status, $reason, $configuration,
                $created, $updated, $activity, $verification, $pause_notice)
        """;

    private const string UpdateStream = """
        UPDATE streams SET project = $project, owner_client_id = $owner, direction = $direction, status = $status,
                           status_reason = $reason, configuration = $configuration, created_at = $created,
                           updated_at = $updated, last_activity_at = $activity, last_verification_at = $verification,
                           pause_notice_position = $pause_notice
        WHERE stream_id = $stream
        """;

    // The receiver's latest word on a subject goes last: its old row goes, and the new one gets the next rowid.
    private const string DeleteSubject = "DELETE FROM stream_subjects WHERE stream_id = $stream AND subject_key = $key";

    private const string InsertSubject = """
        INSERT INTO stream_subjects (stream_id, subject_key, subject, verified, added_at, included)
        VALUES ($stream, $key, $subject, $verified, $at, $included)
        """;

    /// <inheritdoc/>
    public async ValueTask CreateStreamAsync(StreamRecord stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await _writer.ExecuteAsync(context => WriteStream(context, InsertStream, stream), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> CreateStreamWithinLimitAsync(StreamRecord stream, int maxStreamsPerOwner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await _writer.ExecuteAsync(
            context =>
            {
                // The one writer runs this whole: no other creation comes between the count and the insert.
                if (stream.OwnerClientId is { } owner)
                {
                    var count = context.Command(CountStreamsByOwnerSql);
                    count.Parameters.AddWithValue("$owner", owner);
                    if ((long)count.ExecuteScalar()! >= maxStreamsPerOwner)
                    {
                        return false;
                    }
                }

                WriteStream(context, InsertStream, stream);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StreamRecord?> GetStreamAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT {StreamColumns} FROM streams WHERE stream_id = $stream",
            p => p.AddWithValue("$stream", streamId),
            r => r.Read() ? ReadStream(r) : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamRecord>> ListStreamsAsync(string? project, string? ownerClientId, CancellationToken cancellationToken)
    {
        // One statement per filter, so that each is served by its own index rather than a scan.
        var sql = ownerClientId is not null ? ListStreamsByOwnerSql : project is not null ? ListStreamsByProjectSql : ListAllStreamsSql;
        return await ReadAsync(
            sql,
            p =>
            {
                p.AddWithValue("$project", (object?)project ?? DBNull.Value);
                p.AddWithValue("$owner", (object?)ownerClientId ?? DBNull.Value);
            },
            ReadStreams,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> UpdateStreamAsync(StreamRecord stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await _writer.ExecuteAsync(context => WriteStream(context, UpdateStream, stream) == 1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask SetSourceErrorAsync(string streamId, string? lastError, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("UPDATE streams SET source_error = $error WHERE stream_id = $stream");
                command.Parameters.AddWithValue("$stream", streamId);
                command.Parameters.AddWithValue("$error", (object?)lastError ?? DBNull.Value);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> SetCredentialHashAsync(string streamId, string? credentialHash, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                var command = context.Command("UPDATE streams SET credential_hash = $hash WHERE stream_id = $stream");
                command.Parameters.AddWithValue("$stream", streamId);
                command.Parameters.AddWithValue("$hash", (object?)credentialHash ?? DBNull.Value);
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<string?> GetCredentialHashAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT credential_hash FROM streams WHERE stream_id = $stream",
            p => p.AddWithValue("$stream", streamId),
            r => r.Read() && !r.IsDBNull(0) ? r.GetString(0) : null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteStreamAsync(string streamId, CancellationToken cancellationToken) =>
        await _writer.ExecuteAsync(
            context =>
            {
                // One write, so one transaction: the stream, its subjects and its queue go together.
                DeleteByStream(context, "DELETE FROM stream_subjects WHERE stream_id = $stream", streamId);
                DeleteByStream(context, "DELETE FROM deliveries WHERE stream_id = $stream", streamId);
                return DeleteByStream(context, "DELETE FROM streams WHERE stream_id = $stream", streamId) == 1;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask AddSubjectAsync(string streamId, StreamSubject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await _writer.ExecuteAsync(context => WriteSubject(context, streamId, subject), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> AddSubjectWithinLimitAsync(string streamId, StreamSubject subject, int maxSubjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return await _writer.ExecuteAsync(
            context =>
            {
                // The one writer runs this whole: no other addition comes between the count and the insert.
                var count = context.Command(CountSubjectsSql);
                count.Parameters.AddWithValue("$stream", streamId);
                count.Parameters.AddWithValue("$key", subject.SubjectKey);
                using (var reader = count.ExecuteReader())
                {
                    reader.Read();
                    if (reader.GetInt64(1) == 0 && reader.GetInt64(0) >= maxSubjects)
                    {
                        return false;
                    }
                }

                WriteSubject(context, streamId, subject);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StreamSubject>> ListSubjectsAsync(string streamId, CancellationToken cancellationToken) =>
        await ReadListAsync(
            ListSubjectsSql,
            p => p.AddWithValue("$stream", streamId),
            r => new StreamSubject(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0, FromUnixMs(r.GetInt64(3))) { Included = r.GetInt64(4) != 0 },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask ListAllSubjectsAsync(Action<string, StreamSubject> row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        await ReadAsync(
            "SELECT stream_id, subject_key, subject, verified, added_at, included FROM stream_subjects ORDER BY stream_id, rowid",
            _ => { },
            r =>
            {
                while (r.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    row(r.GetString(0), new StreamSubject(r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, FromUnixMs(r.GetInt64(4))) { Included = r.GetInt64(5) != 0 });
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static int WriteSubject(SqliteWriteContext context, string streamId, StreamSubject subject)
    {
        var previous = context.Command(DeleteSubject);
        previous.Parameters.AddWithValue("$stream", streamId);
        previous.Parameters.AddWithValue("$key", subject.SubjectKey);
        previous.ExecuteNonQuery();

        var command = context.Command(InsertSubject);
        command.Parameters.AddWithValue("$stream", streamId);
        command.Parameters.AddWithValue("$key", subject.SubjectKey);
        command.Parameters.AddWithValue("$subject", subject.Subject);
        command.Parameters.AddWithValue("$verified", subject.Verified ? 1 : 0);
        command.Parameters.AddWithValue("$at", ToUnixMs(subject.AddedAt));
        command.Parameters.AddWithValue("$included", subject.Included ? 1 : 0);
        return command.ExecuteNonQuery();
    }

    private static int WriteStream(SqliteWriteContext context, string sql, StreamRecord stream)
    {
        var command = context.Command(sql);
        command.Parameters.AddWithValue("$stream", stream.StreamId);
        command.Parameters.AddWithValue("$project", stream.Project);
        command.Parameters.AddWithValue("$owner", (object?)stream.OwnerClientId ?? DBNull.Value);
        command.Parameters.AddWithValue("$direction", stream.Direction);
        command.Parameters.AddWithValue("$status", stream.Status);
        command.Parameters.AddWithValue("$reason", (object?)stream.StatusReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$configuration", stream.Configuration);
        command.Parameters.AddWithValue("$created", ToUnixMs(stream.CreatedAt));
        command.Parameters.AddWithValue("$updated", ToUnixMs(stream.UpdatedAt));
        command.Parameters.AddWithValue("$activity", ToUnixMsOrNull(stream.LastActivityAt));
        command.Parameters.AddWithValue("$verification", ToUnixMsOrNull(stream.LastVerificationAt));
        command.Parameters.AddWithValue("$pause_notice", (object?)stream.PauseNoticePosition ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }

    private static int DeleteByStream(SqliteWriteContext context, string sql, string streamId)
    {
        var command = context.Command(sql);
        command.Parameters.AddWithValue("$stream", streamId);
        return command.ExecuteNonQuery();
    }

    private static List<StreamRecord> ReadStreams(SqliteDataReader reader)
    {
        var streams = new List<StreamRecord>();
        while (reader.Read())
        {
            streams.Add(ReadStream(reader));
        }

        return streams;
    }

    private static StreamRecord ReadStream(SqliteDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            FromUnixMs(reader.GetInt64(6)),
            FromUnixMs(reader.GetInt64(7)))
        {
            StatusReason = reader.IsDBNull(8) ? null : reader.GetString(8),
            LastActivityAt = FromUnixMsOrNull(reader, 9),
            LastVerificationAt = FromUnixMsOrNull(reader, 10),
            PauseNoticePosition = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            SourceError = reader.IsDBNull(12) ? null : reader.GetString(12),
        };
}
