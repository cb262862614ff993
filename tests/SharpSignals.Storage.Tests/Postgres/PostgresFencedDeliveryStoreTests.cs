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
    public async Task TryAcquireLeasesAsync_WaitsForAnotherNodesLeaseToLapse_ThenFencesThatNodeOut()
    {
        await CreateStreamAsync("s1");
        await using var nodeB = _database.Open();
        var leaseA = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMilliseconds(500), CancellationToken.None));

        var whileHeld = await nodeB.TryAcquireLeasesAsync(["s1"], "node-b", TimeSpan.FromMinutes(1), CancellationToken.None);
        var takenOver = await Eventually.GetAsync(() => nodeB.TryAcquireLeasesAsync(["s1"], "node-b", TimeSpan.FromMinutes(1), CancellationToken.None).AsTask(), leases => leases.Count > 0, "node A's lease to lapse");

        Assert.Empty(whileHeld);
        var leaseB = Assert.Single(takenOver);
        Assert.True(leaseB.Token > leaseA.Token);
        Assert.Empty(await Store.RenewLeasesAsync([leaseA], TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(["s1"], await nodeB.RenewLeasesAsync([leaseA, leaseB], TimeSpan.FromMinutes(1), CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.AcknowledgeAsync(leaseA, [new DeliveredEntry("e1", new DeliveryAttempt(T0, 202))], T0, CancellationToken.None));
        Assert.Empty(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
    }
}
