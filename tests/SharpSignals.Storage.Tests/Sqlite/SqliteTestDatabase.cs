using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Sqlite;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>A database file in a fresh temporary directory, removed on dispose.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharpsignals-sqlite-" + Guid.NewGuid().ToString("N"));

    public string Path => System.IO.Path.Combine(_directory, "sharpsignals.db");

    /// <summary>Opens a store on the file; each call opens it anew on the same data, as a restart would.</summary>
    public SqliteStore Open(int attemptsKept = AttemptLog.DefaultKept) => SqliteStore.Open(new SqliteStoreOptions { DatabasePath = Path, AttemptsKept = attemptsKept });

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
