using SharpSignals.Storage.Cluster;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>The <see cref="ILeaseStore"/> contract on every provider: stream leases, turns, the node list, notices.</summary>
public abstract class LeaseStoreContractTests : StoreContractBase
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TryAcquireLeasesAsync_GrantsAGrowingTokenAndNothingForAnUnknownStream()
    {
        await CreateStreamAsync("s1");
        await CreateStreamAsync("s2");

        var first = await Store.TryAcquireLeasesAsync(["s1", "nothing", "s2"], "node-a", Minute, CancellationToken.None);
        var again = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None));
        var unknown = await Store.TryAcquireLeasesAsync(["nothing"], "node-a", Minute, CancellationToken.None);

        Assert.Equal(["s1", "s2"], first.Select(l => l.StreamId).Order(StringComparer.Ordinal));
        Assert.All(first, l => Assert.Equal("node-a", l.NodeId));
        Assert.True(again.Token > first.Single(l => l.StreamId == "s1").Token);
        Assert.Empty(unknown);
        var leases = await Store.ListLeasesAsync(CancellationToken.None);
        Assert.Equal(
            [("s1", "node-a", again.Token), ("s2", "node-a", first.Single(l => l.StreamId == "s2").Token)],
            leases.Select(l => (l.StreamId, l.NodeId, l.Token)));
    }

    [Fact]
    public async Task TryAcquireLeasesAsync_AStreamNamedTwice_IsGrantedOnce()
    {
        await CreateStreamAsync("s1");
        var before = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None));

        var twice = await Store.TryAcquireLeasesAsync(["s1", "s1"], "node-a", Minute, CancellationToken.None);

        var lease = Assert.Single(twice);
        Assert.Equal(before.Token + 1, lease.Token);
        Assert.Empty(await Store.TryAcquireLeasesAsync([], "node-a", Minute, CancellationToken.None));
    }

    [Fact]
    public async Task TryAcquireLeasesAsync_ManyInOneCall_EachWithItsOwnGrowingToken()
    {
        var streams = Enumerable.Range(0, 200).Select(i => $"s{i:D3}").ToList();
        foreach (var stream in streams)
        {
            await CreateStreamAsync(stream);
        }

        var first = await Store.TryAcquireLeasesAsync(streams, "node-a", Minute, CancellationToken.None);
        var again = await Store.TryAcquireLeasesAsync(streams, "node-a", Minute, CancellationToken.None);

        Assert.Equal(streams, first.Select(l => l.StreamId).Order(StringComparer.Ordinal));
        var firstTokens = first.ToDictionary(l => l.StreamId, l => l.Token, StringComparer.Ordinal);
        Assert.All(again, l => Assert.True(l.Token > firstTokens[l.StreamId]));
        Assert.Equal(streams, again.Select(l => l.StreamId).Order(StringComparer.Ordinal));
        Assert.Equal(streams.Count, (await Store.RenewLeasesAsync(again, Minute, CancellationToken.None)).Count);
        Assert.Empty(await Store.RenewLeasesAsync(first, Minute, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseLeaseAsync_LetsTheLeaseLapse()
    {
        await CreateStreamAsync("s1");
        await CreateStreamAsync("s2");
        var leases = await Store.TryAcquireLeasesAsync(["s1", "s2"], "node-a", Minute, CancellationToken.None);
        var lease = leases.Single(l => l.StreamId == "s1");

        await Store.ReleaseLeaseAsync(lease, CancellationToken.None);

        Assert.Equal(["s2"], (await Store.ListLeasesAsync(CancellationToken.None)).Select(l => l.StreamId));
        var next = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-b", Minute, CancellationToken.None));
        Assert.True(next.Token > lease.Token);
    }

    [Fact]
    public async Task DeleteStreamAsync_DropsItsLease()
    {
        await CreateStreamAsync("s1");
        await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None);

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
