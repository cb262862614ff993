using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>Push leases and the delivery changes they fence, on every provider.</summary>
public abstract class ClusterStoreContractTests : StoreContractBase
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
    public async Task FencedChanges_UnderTheNewestLease_Apply()
    {
        await CreateStreamAsync("s1");
        await AppendAsync("e1");
        await AppendAsync("e2");
        await AppendAsync("e3");
        var lease = (await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None))!;
        var pending = await Store.ReadPendingAsync("s1", 10, CancellationToken.None);

        Assert.Equal(1, await Store.AcknowledgeAsync(lease, ["e1"], T0, CancellationToken.None));
        Assert.Equal(1, await Store.DeadLetterAsync(lease, [new DeliveryFailure("e2", "invalid_request", null)], T0, CancellationToken.None));
        await Store.RecordFailedAttemptAsync(lease, pending[2].Id, "HTTP 503", T0.AddMinutes(1), CancellationToken.None);

        var left = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Equal(("e3", 1, "HTTP 503"), (left.Jti, left.Attempts, left.LastError));
        Assert.Equal(["e2"], (await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task FencedChanges_UnderAStaleLease_FailAndChangeNothing()
    {
        await CreateStreamAsync("s1");
        await AppendAsync("e1");
        var stale = (await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None))!;
        var entry = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        var current = await Store.TryAcquireLeaseAsync("s1", "node-a", Minute, CancellationToken.None);

        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.AcknowledgeAsync(stale, ["e1"], T0, CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.DeadLetterAsync(stale, [new DeliveryFailure("e1", "invalid_request", null)], T0, CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.RecordFailedAttemptAsync(stale, entry.Id, "HTTP 503", T0, CancellationToken.None));
        Assert.NotNull(current);
        Assert.Equal(["s1"], await Store.RenewLeasesAsync([stale, current], Minute, CancellationToken.None));
        Assert.Empty(await Store.RenewLeasesAsync([stale], Minute, CancellationToken.None));
        var unchanged = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Equal((0, (string?)null), (unchanged.Attempts, unchanged.LastError));
        Assert.Empty(await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
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

    protected async Task CreateStreamAsync(string id) =>
        await Store.CreateStreamAsync(
            new StreamRecord(id, "p1", "c1", "outbound", "enabled", """{"delivery":{"method":"urn:ietf:rfc:8935"}}""", T0, T0),
            CancellationToken.None);

    private async Task AppendAsync(string jti) =>
        await Store.AppendAsync(new NewEvent("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", T0), [new NewDelivery("s1", jti, null)], CancellationToken.None);
}
