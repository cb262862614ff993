using System.Reflection;
using Npgsql;

namespace SharpSignals.Storage.Postgres;

/// <summary>
/// Applies the versioned scripts in <c>Migrations/</c> (embedded, named <c>NNNN_description.sql</c>)
/// in order, each in its own transaction with its version recorded, so a restart resumes where a
/// crash stopped. Several nodes may start at once: each takes the same advisory lock first, so one
/// migrates while the others wait and then find nothing left to do.
/// </summary>
internal static class PostgresMigrator
{
    /// <summary>The advisory lock key ("SSMIGRAT" in ASCII); advisory locks are per database.</summary>
    internal const long LockKey = 0x5353_4D49_4752_4154;

    public static IReadOnlyList<(int Version, string Name)> Scripts { get; } = typeof(PostgresMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => (Version: int.Parse(n.AsSpan("Migrations/".Length, 4), provider: System.Globalization.CultureInfo.InvariantCulture), Name: n))
        .OrderBy(s => s.Version)
        .ToList();

    public static void Migrate(NpgsqlConnection connection)
    {
        // A session lock, released below or when the connection closes (a node that dies while
        // migrating leaves no lock behind, and its half-done script was rolled back).
        Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})");
        try
        {
            Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL
                )
                """);
            var applied = new HashSet<int>();
            using (var query = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read())
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            foreach (var (version, name) in Scripts.Where(s => !applied.Contains(s.Version)))
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, Read(name));
                using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, now())", connection, transaction))
                {
                    record.Parameters.Integer("version", version);
                    record.Parameters.Text("name", name);
                    record.ExecuteNonQuery();
                }

                transaction.Commit();
            }
        }
        finally
        {
            Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})");
        }
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Migration {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
