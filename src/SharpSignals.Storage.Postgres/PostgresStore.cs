using Npgsql;

namespace SharpSignals.Storage.Postgres;

/// <summary>
/// The cluster store: one PostgreSQL database that every node shares, with exactly the behaviour
/// of the SQLite store (both are held to the same contract tests). A commit is durable when it
/// returns (PostgreSQL's own commit). Each node writes through one <see cref="PostgresWriter"/>
/// (group commit); reads use pooled connections and never wait for it.
/// </summary>
public sealed partial class PostgresStore : ISharpSignalsStore
{
    private const string HealthCheckKey = "health_check";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriter _writer;
    private readonly int _attemptsKept;

    private PostgresStore(NpgsqlDataSource dataSource, PostgresWriter writer, int attemptsKept)
    {
        _dataSource = dataSource;
        _writer = writer;
        _attemptsKept = attemptsKept;
    }

    /// <summary>Transactions committed by this node so far; with <see cref="Writes"/>, how well commits are shared.</summary>
    public long Commits => _writer.Commits;

    /// <summary>Writes (appends, acknowledgements, ...) committed by this node so far.</summary>
    public long Writes => _writer.Writes;

    /// <summary>
    /// Connects, applies pending migrations (waiting for another node that is migrating the same
    /// database) and starts the writer.
    /// </summary>
    /// <param name="options">Which database.</param>
    /// <returns>The store.</returns>
    public static PostgresStore Open(PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AttemptsKept, 1);
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);

        // The same few statements run over and over: let Npgsql prepare them once per connection,
        // unless the connection string says otherwise.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        var dataSource = builder.Build();
        try
        {
            using (var connection = dataSource.OpenConnection())
            {
                PostgresMigrator.Migrate(connection);
            }

            return new PostgresStore(dataSource, new PostgresWriter(dataSource, options.MaxBatchSize), options.AttemptsKept);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A read through a pooled connection, then a real (if unchanging) write committed by the
            // writer: a lost database, a read-only one or a closed store all show. WaitAsync bounds
            // the wait for the writer by the caller's token.
            var readable = await ReadOneAsync("SELECT count(*) FROM schema_migrations", _ => { }, r => r.GetInt64(0) > 0, cancellationToken).ConfigureAwait(false);
            await _writer.ExecuteAsync(context => WriteSettingAsync(context, HealthCheckKey, "ok"), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            return readable;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The first row mapped, or the default when there is none.</summary>
    private async Task<T?> ReadOneAsync<T>(string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? map(reader) : default;
    }

    /// <summary>Every row mapped, in the order the query returns them.</summary>
    private async Task<List<T>> ReadListAsync<T>(string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static DateTimeOffset? ReadTimeOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static string? ReadTextOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
