using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>The lease contract on a real SQLite file: one node, every lease and turn granted, no lease lapsing.</summary>
public sealed class SqliteLeaseStoreTests : LeaseStoreContractTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task TryAcquireLeasesAsync_TakesTheLeaseFromAnyEarlierHolder()
    {
        await CreateStreamAsync("s1");
        var before = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "previous-run", TimeSpan.FromMinutes(1), CancellationToken.None));

        var now = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "this-run", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.True(now.Token > before.Token);
    }

    [Fact]
    public async Task ALease_DoesNotLapse_AndItsRenewalWritesNothing()
    {
        await CreateStreamAsync("s1");
        var lease = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMilliseconds(1), CancellationToken.None));
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        var sqlite = (SqliteStore)Store;
        var writes = sqlite.Writes;

        var renewed = await Store.RenewLeasesAsync([lease], TimeSpan.FromMilliseconds(1), CancellationToken.None);

        Assert.Equal(["s1"], renewed);
        Assert.Equal(writes, sqlite.Writes);
        Assert.Equal([lease], await Store.ListLeasesAsync(CancellationToken.None));
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), lease.ExpiresAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task ALeaseTakenAgain_IsNoLongerRenewed()
    {
        await CreateStreamAsync("s1");
        var stale = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
        var current = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Empty(await Store.RenewLeasesAsync([stale], TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Empty(await Store.RenewLeasesAsync([current with { NodeId = "node-b" }], TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(["s1"], await Store.RenewLeasesAsync([current], TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Reopening_ReleasesTheLeasesOfTheRunBefore_AndTheNextGrantFencesThemOut()
    {
        await CreateStreamAsync("s1");
        var before = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "previous-run", TimeSpan.FromMinutes(1), CancellationToken.None));

        await ReopenAsync();

        Assert.Empty(await Store.ListLeasesAsync(CancellationToken.None));
        Assert.True(Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "this-run", TimeSpan.FromMinutes(1), CancellationToken.None)).Token > before.Token);
    }

    [Fact]
    public async Task TryTakeTurnAsync_IsThisNodesWhoeverAskedBefore()
    {
        await Store.TryTakeTurnAsync("retention", "previous-run", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(await Store.TryTakeTurnAsync("retention", "this-run", TimeSpan.FromMinutes(1), CancellationToken.None));
    }
}
