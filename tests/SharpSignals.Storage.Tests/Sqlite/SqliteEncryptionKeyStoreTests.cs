using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The encryption key store contract on a real SQLite file.</summary>
public sealed class SqliteEncryptionKeyStoreTests : EncryptionKeyStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
