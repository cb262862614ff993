using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The lease contract on a real SQLite file: one node, every lease and turn granted.</summary>
public sealed class SqliteLeaseStoreTests : LeaseStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task TryAcquireLeaseAsync_TakesTheLeaseFromAnyEarlierHolder()
    {
        await CreateStreamAsync("s1");
        var before = await Store.TryAcquireLeaseAsync("s1", "previous-run", TimeSpan.FromMinutes(1), CancellationToken.None);

        var now = await Store.TryAcquireLeaseAsync("s1", "this-run", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(now!.Token > before!.Token);
    }

    [Fact]
    public async Task TryTakeTurnAsync_IsThisNodesWhoeverAskedBefore()
    {
        await Store.TryTakeTurnAsync("retention", "previous-run", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(await Store.TryTakeTurnAsync("retention", "this-run", TimeSpan.FromMinutes(1), CancellationToken.None));
    }
}
