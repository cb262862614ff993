using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The tenant store contract on a real SQLite file.</summary>
public sealed class SqliteTenantStoreTests : TenantStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
