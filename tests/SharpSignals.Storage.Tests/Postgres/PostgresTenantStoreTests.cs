using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The tenant store contract on a real PostgreSQL database.</summary>
public sealed class PostgresTenantStoreTests : TenantStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
