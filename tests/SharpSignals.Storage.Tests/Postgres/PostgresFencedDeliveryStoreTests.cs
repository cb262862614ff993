using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The fenced delivery changes on a real PostgreSQL database, and a node fenced out by another that took its stream over.</summary>
public sealed class PostgresFencedDeliveryStoreTests : FencedDeliveryStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task TryAcquireLeaseAsync_WaitsForAnotherNodesLeaseToLapse_ThenFencesThatNodeOut()
    {
        await CreateStreamAsync("s1");
        await using var nodeB = _database.Open();
        var leaseA = (await Store.TryAcquireLeaseAsync("s1", "node-a", TimeSpan.FromMilliseconds(500), CancellationToken.None))!;

        var whileHeld = await nodeB.TryAcquireLeaseAsync("s1", "node-b", TimeSpan.FromMinutes(1), CancellationToken.None);
        var leaseB = await Eventually.GetAsync(() => nodeB.TryAcquireLeaseAsync("s1", "node-b", TimeSpan.FromMinutes(1), CancellationToken.None).AsTask(), lease => lease is not null, "node A's lease to lapse");

        Assert.Null(whileHeld);
        Assert.NotNull(leaseB);
        Assert.True(leaseB.Token > leaseA.Token);
        Assert.Empty(await Store.RenewLeasesAsync([leaseA], TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(["s1"], await nodeB.RenewLeasesAsync([leaseA, leaseB], TimeSpan.FromMinutes(1), CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.AcknowledgeAsync(leaseA, [new DeliveredEntry("e1", new DeliveryAttempt(T0, 202))], T0, CancellationToken.None));
        Assert.Null(await Store.TryAcquireLeaseAsync("s1", "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
    }
}
