using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>The <see cref="IFencedDeliveryStore"/> contract on every provider: delivery changes apply only under the stream's newest lease.</summary>
public abstract class FencedDeliveryStoreContractTests : StoreContractBase
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task FencedChanges_UnderTheNewestLease_Apply()
    {
        await CreateStreamAsync("s1");
        await AppendAsync("e1");
        await AppendAsync("e2");
        await AppendAsync("e3");
        var lease = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None));
        var pending = await Store.ReadPendingAsync("s1", 10, CancellationToken.None);

        Assert.Equal(1, await Store.AcknowledgeAsync(lease, [new DeliveredEntry("e1", new DeliveryAttempt(T0, 202))], T0, CancellationToken.None));
        Assert.Equal(1, await Store.DeadLetterAsync(lease, [new DeliveryFailure("e2", "invalid_request", null)], T0, CancellationToken.None));
        await Store.RecordFailedAttemptAsync(lease, pending[2].Id, "HTTP 503", new DeliveryAttempt(T0), T0.AddMinutes(1), CancellationToken.None);

        var left = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Equal(("e3", 1, "HTTP 503"), (left.Jti, left.Attempts, left.LastError));
        Assert.Equal(["e2"], (await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task FencedChanges_UnderAStaleLease_FailAndChangeNothing()
    {
        await CreateStreamAsync("s1");
        await AppendAsync("e1");
        var stale = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None));
        var entry = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        var current = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", Minute, CancellationToken.None));

        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.AcknowledgeAsync(stale, [new DeliveredEntry("e1", new DeliveryAttempt(T0, 202))], T0, CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.DeadLetterAsync(stale, [new DeliveryFailure("e1", "invalid_request", null)], T0, CancellationToken.None));
        await Assert.ThrowsAsync<StreamLeaseLostException>(async () => await Store.RecordFailedAttemptAsync(stale, entry.Id, "HTTP 503", new DeliveryAttempt(T0), T0, CancellationToken.None));
        Assert.Equal(["s1"], await Store.RenewLeasesAsync([stale, current], Minute, CancellationToken.None));
        Assert.Empty(await Store.RenewLeasesAsync([stale], Minute, CancellationToken.None));
        var unchanged = Assert.Single(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Equal((0, (string?)null), (unchanged.Attempts, unchanged.LastError));
        Assert.Empty(await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
    }

    private async Task AppendAsync(string jti) =>
        await Store.AppendAsync(new NewEvent("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", T0), [new NewDelivery("s1", jti, null)], CancellationToken.None);
}
