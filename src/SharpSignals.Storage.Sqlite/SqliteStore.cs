using Microsoft.Data.Sqlite;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a commit is on
/// disk when it returns. All writes go through one <see cref="SqliteWriter"/> (group commit);
/// reads use pooled connections and never wait for it, and the log is copied into the database
/// file beside it (<see cref="SqliteCheckpointer"/>).
/// </summary>
public sealed partial class SqliteStore : ISharpSignalsStore
{
    private const string HealthCheckKey = "health_check";

    private readonly string _readConnectionString;
    private readonly SqliteWriter _writer;
    private readonly int _attemptsKept;

    private SqliteStore(string readConnectionString, SqliteWriter writer, int attemptsKept)
    {
        _readConnectionString = readConnectionString;
        _writer = writer;
        _attemptsKept = attemptsKept;
    }

    /// <summary>Transactions committed so far; with <see cref="Writes"/>, how well commits are shared.</summary>
    public long Commits => _writer.Commits;

    /// <summary>Writes (appends, acknowledgements, ...) committed so far.</summary>
    public long Writes => _writer.Writes;

    /// <summary>The checkpoints of the write-ahead log, beside the writer and by it.</summary>
    internal SqliteCheckpointer Checkpointer => _writer.Checkpointer;

    /// <summary>Opens (or creates) the database, applies pending migrations and starts the writer.</summary>
    /// <param name="options">Where the database lives.</param>
    /// <returns>The store.</returns>
    public static SqliteStore Open(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AttemptsKept, 1);
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,

            // The writer's connection is opened once and closed with the store, and with it the
            // checkpoint hook it carries (SqliteCheckpointer); the read connections are pooled.
            Pooling = false,
            DefaultTimeout = 30,
        };
        var writeConnection = new SqliteConnection(builder.ToString());
        writeConnection.Open();
        try
        {
            // WAL lets readers run beside the writer; FULL makes each commit fsync the WAL (docs/ARCHITECTURE.md,
            // "Durability"). foreign_keys guards delivery entries against missing events.
            Pragma(writeConnection, "journal_mode = WAL");
            Pragma(writeConnection, "synchronous = FULL");
            Pragma(writeConnection, "foreign_keys = ON");

            // 32 MiB of pages for the writer instead of SQLite's 2 MiB: each append descends several
            // indexes, and a page that fell out of the cache is read again through a system call
            // (docs/BENCHMARKS.md, "Where the CPU of one event goes").
            Pragma(writeConnection, "cache_size = -32768");
            SqliteMigrator.Migrate(writeConnection);

            // The data directory is this process's alone, so no lease of an earlier run still holds
            // (leases here never lapse: SqliteStore.Cluster.cs); their tokens stay, so the next grants fence them out.
            using var releaseAll = writeConnection.CreateCommand();
            releaseAll.CommandText = "UPDATE stream_leases SET expires_at = 0 WHERE expires_at > 0";
            releaseAll.ExecuteNonQuery();
        }
        catch
        {
            writeConnection.Dispose();
            throw;
        }

        builder.Mode = SqliteOpenMode.ReadWrite;
        builder.Pooling = true;
        return new SqliteStore(builder.ToString(), new SqliteWriter(writeConnection, builder.ToString(), options.MaxBatchSize, options.CommitDelay), options.AttemptsKept);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A read through a read connection, then a real (if unchanging) write committed by the
            // writer: a lost file, a full disk or a closed store all show. WaitAsync bounds the wait
            // for the writer by the caller's token.
            var readable = await ReadAsync("SELECT count(*) FROM schema_migrations", _ => { }, r => r.Read() && r.GetInt64(0) > 0, cancellationToken).ConfigureAwait(false);
            await _writer.ExecuteAsync(context => WriteSetting(context, HealthCheckKey, "ok"), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return readable;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private static void Pragma(SqliteConnection connection, string pragma)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        command.ExecuteNonQuery();
    }

    private async Task<T> ReadAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return read(reader);
    }

    /// <summary>Every row mapped, in the order the query returns them.</summary>
    private Task<List<T>> ReadListAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken) =>
        ReadAsync(
            sql,
            bind,
            reader =>
            {
                var rows = new List<T>();
                while (reader.Read())
                {
                    rows.Add(map(reader));
                }

                return rows;
            },
            cancellationToken);

    private static long ToUnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static object ToUnixMsOrNull(DateTimeOffset? time) => time is { } value ? ToUnixMs(value) : DBNull.Value;

    private static DateTimeOffset? FromUnixMsOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMs(reader.GetInt64(ordinal));
}
