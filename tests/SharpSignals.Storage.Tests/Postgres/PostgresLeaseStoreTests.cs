using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Tests.Contracts;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>The lease contract on a real PostgreSQL database, and two nodes' stores on one database.</summary>
public sealed class PostgresLeaseStoreTests : LeaseStoreContractTests, IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override Task<ISharpSignalsStore> OpenAsync() => Task.FromResult<ISharpSignalsStore>(_database.Open());

    [Fact]
    public async Task TryTakeTurnAsync_AnotherNodeWaitsForTheTurnToExpire_ThenHasItAlone()
    {
        await using var nodeB = _database.Open();
        var a = await Store.TryTakeTurnAsync("retention", "node-a", TimeSpan.FromMilliseconds(500), CancellationToken.None);

        var whileHeld = await nodeB.TryTakeTurnAsync("retention", "node-b", TimeSpan.FromMinutes(1), CancellationToken.None);
        var anotherTask = await nodeB.TryTakeTurnAsync("another", "node-b", TimeSpan.FromMinutes(1), CancellationToken.None);
        var afterExpiry = await Eventually.GetAsync(() => nodeB.TryTakeTurnAsync("retention", "node-b", TimeSpan.FromMinutes(1), CancellationToken.None).AsTask(), taken => taken, "node A's turn to expire");
        var aAgain = await Store.TryTakeTurnAsync("retention", "node-a", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal((true, false, true, true, false), (a, whileHeld, anotherTask, afterExpiry, aAgain));
    }

    [Fact]
    public async Task TryAcquireLeasesAsync_TakesTheLapsedAndFreeStreams_NotAnotherNodesLiveLease()
    {
        await CreateStreamAsync("held");
        await CreateStreamAsync("lapsed");
        await CreateStreamAsync("free");
        await using var nodeB = _database.Open();
        var live = Assert.Single(await Store.TryAcquireLeasesAsync(["held"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
        var lapsing = Assert.Single(await Store.TryAcquireLeasesAsync(["lapsed"], "node-a", TimeSpan.FromMilliseconds(200), CancellationToken.None));
        await Eventually.TrueAsync(async () => !(await Store.ListLeasesAsync(CancellationToken.None)).Any(l => l.StreamId == "lapsed"), "node A's lease on \"lapsed\" to lapse");

        var taken = await nodeB.TryAcquireLeasesAsync(["held", "lapsed", "free", "nothing"], "node-b", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(["free", "lapsed"], taken.Select(l => l.StreamId).Order(StringComparer.Ordinal));
        Assert.All(taken, l => Assert.Equal("node-b", l.NodeId));
        Assert.True(taken.Single(l => l.StreamId == "lapsed").Token > lapsing.Token);
        Assert.Equal(["held"], await Store.RenewLeasesAsync([live, lapsing], TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(
            [("free", "node-b"), ("held", "node-a"), ("lapsed", "node-b")],
            (await Store.ListLeasesAsync(CancellationToken.None)).Select(l => (l.StreamId, l.NodeId)));
    }

    [Fact]
    public async Task HeartbeatAsync_CountsTheLiveNodes()
    {
        await using var nodeB = _database.Open();

        await Store.HeartbeatAsync("node-a", TimeSpan.FromMinutes(1), CancellationToken.None);
        var both = await nodeB.HeartbeatAsync("node-b", TimeSpan.FromMinutes(1), CancellationToken.None);
        await Store.LeaveAsync("node-a", CancellationToken.None);
        var alone = await nodeB.HeartbeatAsync("node-b", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal((2, 1), (both, alone));
    }

    [Fact]
    public async Task NotifyAsync_ReachesAnotherNodesListener()
    {
        await using var nodeB = _database.Open();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<ClusterNotice>();
        var listening = Task.Run(async () =>
        {
            await foreach (var notice in nodeB.ListenAsync(stop.Token))
            {
                received.Add(notice);
                if (received.Count == 2)
                {
                    return;
                }
            }
        });

        // The listener may not be listening yet: send until it has heard both kinds.
        await Eventually.TrueAsync(
            async () =>
            {
                if (listening.IsCompleted)
                {
                    return true;
                }

                await Store.NotifyAsync(new ClusterNotice("routed", "node-a", "s1\ns2"), CancellationToken.None);
                return false;
            },
            "node B to hear two notices",
            TimeSpan.FromSeconds(30));

        await listening;
        Assert.All(received, n => Assert.Equal(new ClusterNotice("routed", "node-a", "s1\ns2"), n));
    }

    [Fact]
    public async Task NotifyAsync_RefusesANoticeTooLargeForNotify()
    {
        var notice = new ClusterNotice("routed", "node-a", new string('x', ClusterNotice.MaxBytes));

        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.NotifyAsync(notice, CancellationToken.None));
    }
}
