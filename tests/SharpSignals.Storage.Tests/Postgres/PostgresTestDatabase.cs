using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Postgres;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>A fresh database on the test server, dropped on dispose.</summary>
internal sealed class PostgresTestDatabase : IDisposable
{
    public string ConnectionString { get; } = PostgresTestServer.Instance.CreateDatabase();

    /// <summary>Opens a store on the database; each call opens it anew on the same data, as a restart would.</summary>
    public PostgresStore Open(int attemptsKept = AttemptLog.DefaultKept) => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = ConnectionString, AttemptsKept = attemptsKept });

    public void Dispose() => PostgresTestServer.Instance.DropDatabase(ConnectionString);
}
