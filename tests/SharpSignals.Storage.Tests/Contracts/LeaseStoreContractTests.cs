using SharpSignals.Storage.Cluster;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>The <see cref="ILeaseStore"/> contract on every provider: stream leases, turns, the node list, notices.</summary>
public abstract class LeaseStoreContractTests : StoreContractBase
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TryAcquireLeaseAsync_GrantsAGrowingTokenAndNothingForAnUnknownStream()
    {
        await CreateStreamAsync("s1");

        var first = await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None);
        var again = await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None);
        var unknown = await Store.TryAcquireLeaseAsync("nothing", "node-a", Minute, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(again);
        Assert.True(again.Token > first.Token);
        Assert.Null(unknown);
        var leases = await Store.ListLeasesAsync(CancellationToken.None);
        Assert.Equal([("s1", "node-a", again.Token)], leases.Select(l => (l.StreamId, l.NodeId, l.Token)));
    }

    [Fact]
    public async Task ReleaseLeaseAsync_LetsTheLeaseLapse()
    {
        await CreateStreamAsync("s1");
        var lease = (await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None))!;

        await Store.ReleaseLeaseAsync(lease, CancellationToken.None);

        Assert.Empty(await Store.ListLeasesAsync(CancellationToken.None));
        var next = await Store.TryAcquireLeaseAsync("s1", "node-b", Minute, CancellationToken.None);
        Assert.True(next!.Token > lease.Token);
    }

    [Fact]
    public async Task DeleteStreamAsync_DropsItsLease()
    {
        await CreateStreamAsync("s1");
        await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None);

        await Store.DeleteStreamAsync("s1", CancellationToken.None);

        Assert.Empty(await Store.ListLeasesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TryTakeTurnAsync_ThisNodeKeepsItsTurn()
    {
        var first = await Store.TryTakeTurnAsync("retention", "node-a", Minute, CancellationToken.None);
        var again = await Store.TryTakeTurnAsync("retention", "node-a", Minute, CancellationToken.None);

        Assert.True(first);
        Assert.True(again);
    }

    [Fact]
    public async Task HeartbeatAsync_CountsThisNode()
    {
        Assert.True(await Store.HeartbeatAsync("node-a", Minute, CancellationToken.None) >= 1);
        await Store.LeaveAsync("node-a", CancellationToken.None);
    }

    [Fact]
    public void ClusterNotice_RoundTripsThroughItsPayload()
    {
        var notice = new ClusterNotice("routed", "node-a", "s1\ns2");

        Assert.Equal(notice, ClusterNotice.Decode(notice.Encode()));
        Assert.Null(ClusterNotice.Decode("no separators"));
    }
}
