using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The signing key store contract on a real PostgreSQL database.</summary>
public sealed class PostgresSigningKeyStoreTests : SigningKeyStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
