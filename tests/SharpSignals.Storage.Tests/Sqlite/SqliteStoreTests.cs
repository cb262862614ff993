using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The store contract on a real SQLite file.</summary>
public sealed class SqliteStoreTests : StoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<StoreUnderTest> OpenAsync()
    {
        var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = _database.Path });
        return Task.FromResult(new StoreUnderTest(store, store, store));
    }
}
