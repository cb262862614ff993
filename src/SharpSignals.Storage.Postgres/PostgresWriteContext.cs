using Npgsql;

namespace SharpSignals.Storage.Postgres;

/// <summary>What a write sees: the writer's connection and the transaction its batch shares.</summary>
internal sealed class PostgresWriteContext(NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    public NpgsqlTransaction Transaction => transaction;

    /// <summary>A command inside the batch's transaction; Npgsql prepares repeated SQL on its own (auto-prepare).</summary>
    public NpgsqlCommand Command(string sql) => new(sql, connection, transaction);
}
