using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The console history contract on a real PostgreSQL database.</summary>
public sealed class PostgresStreamHistoryStoreTests : StreamHistoryStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());
}
