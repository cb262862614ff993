using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The encryption key store contract on a real PostgreSQL database.</summary>
public sealed class PostgresEncryptionKeyStoreTests : EncryptionKeyStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
