using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The fenced delivery changes on a real SQLite file, fenced against the node's own earlier runs.</summary>
public sealed class SqliteFencedDeliveryStoreTests : FencedDeliveryStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
