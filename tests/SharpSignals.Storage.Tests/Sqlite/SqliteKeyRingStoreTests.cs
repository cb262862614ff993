using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The key ring contract on a real SQLite file: the embedded store keeps none (its node keeps the ring in its data directory).</summary>
public sealed class SqliteKeyRingStoreTests : KeyRingStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    protected override bool KeepsKeyRing => false;
}
