using System.Reflection;
using Microsoft.Data.Sqlite;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// Applies the versioned scripts in <c>Migrations/</c> (embedded, named <c>NNNN_description.sql</c>)
/// in order, each in its own transaction with its version recorded, so a restart resumes where a
/// crash stopped.
/// </summary>
internal static class SqliteMigrator
{
    public static IReadOnlyList<(int Version, string Name)> Scripts { get; } = typeof(SqliteMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => (Version: int.Parse(n.AsSpan("Migrations/".Length, 4), provider: System.Globalization.CultureInfo.InvariantCulture), Name: n))
        .OrderBy(s => s.Version)
        .ToList();

    public static void Migrate(SqliteConnection connection)
    {
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """);
        var applied = new HashSet<int>();
        using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT version FROM schema_migrations";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, name) in Scripts.Where(s => !applied.Contains(s.Version)))
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            Execute(connection, transaction, Read(name));
            using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at)";
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$name", name);
                record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                record.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Migration {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
