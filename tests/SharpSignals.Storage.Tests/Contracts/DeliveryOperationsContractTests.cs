using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>Backlog, dead-letter retry and discard, replay and retention, on every provider.</summary>
public abstract class DeliveryOperationsContractTests : StoreContractBase
{
    [Fact]
    public async Task GetBacklogAsync_CountsPendingAndDeadAndNamesTheOldestAndTheLastError()
    {
        await AppendAsync("e1", T0);
        await AppendAsync("e2", T0.AddSeconds(5));
        await AppendAsync("e3", T0.AddSeconds(9));
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", "bad")], T0.AddSeconds(10), CancellationToken.None);
        var second = (await Store.ReadPendingAsync("s1", 1, CancellationToken.None))[0];
        await Store.RecordFailedAttemptAsync("s1", second.Id, "HTTP 503", T0.AddSeconds(20), CancellationToken.None);

        var backlog = await Store.GetBacklogAsync("s1", CancellationToken.None);
        var empty = await Store.GetBacklogAsync("nothing", CancellationToken.None);

        Assert.Equal(2, backlog.Pending);
        Assert.Equal(T0.AddSeconds(5), backlog.OldestPendingAt);
        Assert.Equal(1, backlog.DeadLetters);
        Assert.Equal("HTTP 503", backlog.LastError);
        Assert.Equal(new StreamBacklog(0, null, 0, null), empty);
    }

    [Fact]
    public async Task RetryDeadLettersAsync_QueuesThemAgainWithTheSameSet()
    {
        await AppendAsync("e1", T0, "signed-1");
        await AppendAsync("e2", T0);
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", null), new DeliveryFailure("e2", "invalid_key", null)], T0, CancellationToken.None);

        var one = await Store.RetryDeadLettersAsync("s1", ["e1"], CancellationToken.None);
        var rest = await Store.RetryDeadLettersAsync("s1", null, CancellationToken.None);

        Assert.Equal(1, one);
        Assert.Equal(1, rest);
        var pending = await Store.ReadPendingAsync("s1", 10, CancellationToken.None);
        Assert.Equal(["e1", "e2"], pending.Select(e => e.Jti));
        Assert.Equal("signed-1", pending[0].Token);
        Assert.All(pending, e => Assert.Equal(0, e.Attempts));
        Assert.Empty(await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
    }

    [Fact]
    public async Task DiscardDeadLettersAsync_DeletesOnlyDeadLetters()
    {
        await AppendAsync("e1", T0);
        await AppendAsync("e2", T0);
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", null)], T0, CancellationToken.None);

        var discarded = await Store.DiscardDeadLettersAsync("s1", null, CancellationToken.None);

        Assert.Equal(1, discarded);
        Assert.Empty(await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
        Assert.Equal(["e2"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task ReplayAsync_FromJtiPositionOrTime_RequeuesDeliveredEntriesInOrder()
    {
        for (var i = 1; i <= 4; i++)
        {
            await AppendAsync($"e{i}", T0.AddMinutes(i));
        }

        var all = await Store.ReadPendingAsync("s1", 10, CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["e1", "e2", "e3", "e4"], T0.AddHours(1), CancellationToken.None);

        Assert.Equal(2, await Store.ReplayAsync("s1", null, null, "e3", dryRun: false, CancellationToken.None));
        Assert.Equal(["e3", "e4"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        await Store.AcknowledgeAsync("s1", ["e3", "e4"], T0.AddHours(1), CancellationToken.None);

        Assert.Equal(3, await Store.ReplayAsync("s1", all[1].Id, null, null, dryRun: false, CancellationToken.None));
        await Store.AcknowledgeAsync("s1", ["e2", "e3", "e4"], T0.AddHours(1), CancellationToken.None);

        Assert.Equal(4, await Store.ReplayAsync("s1", null, T0, null, dryRun: false, CancellationToken.None));
        Assert.Equal(["e1", "e2", "e3", "e4"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.Equal(0, await Store.ReplayAsync("s1", null, null, "unknown", dryRun: false, CancellationToken.None));
    }

    [Fact]
    public async Task ReplayAsync_DryRunCountsOnly_AndPendingEntriesAreNeverQueuedTwice()
    {
        for (var i = 1; i <= 4; i++)
        {
            await AppendAsync($"e{i}", T0.AddMinutes(i));
        }

        // e1 and e2 delivered; e3 and e4 still pending.
        await Store.AcknowledgeAsync("s1", ["e1", "e2"], T0.AddHours(1), CancellationToken.None);

        Assert.Equal(2, await Store.ReplayAsync("s1", null, T0, null, dryRun: true, CancellationToken.None));
        Assert.Equal(["e3", "e4"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));

        Assert.Equal(2, await Store.ReplayAsync("s1", null, T0, null, dryRun: false, CancellationToken.None));
        Assert.Equal(["e1", "e2", "e3", "e4"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task Purge_DeletesWhatWasSettledBeforeTheCutoffAndEventsNothingNeeds(int stepSize)
    {
        await AppendAsync("old-delivered", T0);
        await AppendAsync("old-pending", T0);
        await AppendAsync("new-delivered", T0.AddDays(8));
        await Store.AcknowledgeAsync("s1", ["old-delivered"], T0.AddMinutes(1), CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["new-delivered"], T0.AddDays(8), CancellationToken.None);

        var (entries, events) = await RetentionSweep.RunAsync(Store, T0.AddDays(7), stepSize, CancellationToken.None);

        Assert.Equal(1, entries);
        Assert.Equal(1, events);
        Assert.Null(await Store.FindAsync("p1", "https://tx.example", "old-delivered", CancellationToken.None));
        Assert.NotNull(await Store.FindAsync("p1", "https://tx.example", "old-pending", CancellationToken.None));
        Assert.Equal(["old-pending"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.NotNull(await Store.FindAsync("p1", "https://tx.example", "new-delivered", CancellationToken.None));
    }

    [Fact]
    public async Task Purge_AnOldEntryStillPending_DoesNotKeepTheSettledEventsAfterIt()
    {
        await AppendAsync("stuck", T0);
        await AppendAsync("a", T0.AddMinutes(1));
        await AppendAsync("b", T0.AddMinutes(2));
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("b", "invalid_request", null)], T0.AddMinutes(3), CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["a"], T0.AddMinutes(3), CancellationToken.None);

        var (entries, events) = await RetentionSweep.RunAsync(Store, T0.AddDays(7), RetentionSweep.DefaultStepSize, CancellationToken.None);

        Assert.Equal(2, entries);
        Assert.Equal(2, events);
        Assert.NotNull(await Store.FindAsync("p1", "https://tx.example", "stuck", CancellationToken.None));
        Assert.Null(await Store.FindAsync("p1", "https://tx.example", "a", CancellationToken.None));
        Assert.Null(await Store.FindAsync("p1", "https://tx.example", "b", CancellationToken.None));
    }

    [Fact]
    public async Task PurgeSteps_LookAtTheirWindowOnly_AndEndAtRowsNewerThanTheCutoff()
    {
        for (var i = 1; i <= 5; i++)
        {
            await AppendAsync($"old{i}", T0.AddMinutes(i));
        }

        await AppendAsync("new", T0.AddDays(8));
        await Store.AcknowledgeAsync("s1", ["old1", "old2", "old3", "old4", "old5"], T0.AddMinutes(10), CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["new"], T0.AddDays(8), CancellationToken.None);
        var cutoff = T0.AddDays(7);

        var first = await Store.PurgeEntriesAsync(cutoff, 0, 2, CancellationToken.None);
        var second = await Store.PurgeEntriesAsync(cutoff, first.Last, 2, CancellationToken.None);
        var third = await Store.PurgeEntriesAsync(cutoff, second.Last, 2, CancellationToken.None);
        var past = await Store.PurgeEntriesAsync(cutoff, third.Last, 2, CancellationToken.None);

        Assert.Equal((2, false), (first.Deleted, first.IsLast));
        Assert.Equal((2, false), (second.Deleted, second.IsLast));
        Assert.Equal((1, true), (third.Deleted, third.IsLast));
        Assert.Equal(new RetentionStep(0, third.Last, IsLast: true), past);

        var events = await Store.PurgeEventsAsync(cutoff, 0, 10, CancellationToken.None);
        Assert.Equal((5, true), (events.Deleted, events.IsLast));
        Assert.NotNull(await Store.FindAsync("p1", "https://tx.example", "new", CancellationToken.None));
    }

    [Fact]
    public async Task ReadEventDeliveriesAsync_ListsTheEventsEntryOnEachStream_WithWhereItStands()
    {
        var appended = await Store.AppendAsync(
            new NewEvent("https://tx.example", "e1", "p1", ["urn:a"], "token-e1", T0),
            [new NewDelivery("s1", "e1-s1"), new NewDelivery("s2", "e1-s2"), new NewDelivery("s3", "e1-s3")],
            CancellationToken.None);
        await AppendAsync("other", T0);
        await Store.AcknowledgeAsync("s1", ["e1-s1"], T0.AddSeconds(2), CancellationToken.None);
        await Store.DeadLetterAsync("s2", [new DeliveryFailure("e1-s2", "invalid_key", "unknown kid")], T0.AddSeconds(3), CancellationToken.None);
        var pending = (await Store.ReadPendingAsync("s3", 1, CancellationToken.None))[0];
        await Store.RecordFailedAttemptAsync("s3", pending.Id, "HTTP 503", T0.AddSeconds(30), CancellationToken.None);

        var deliveries = await Store.ReadEventDeliveriesAsync(appended.Position, CancellationToken.None);

        Assert.Equal(
            [
                new EventDelivery("s1", "e1-s1", DeliveryState.Delivered, 0, null, T0, T0.AddSeconds(2)),
                new EventDelivery("s2", "e1-s2", DeliveryState.DeadLetter, 0, "invalid_key: unknown kid", T0, T0.AddSeconds(3)),
                new EventDelivery("s3", "e1-s3", DeliveryState.Pending, 1, "HTTP 503", T0, null),
            ],
            deliveries);
        Assert.Empty(await Store.ReadEventDeliveriesAsync(appended.Position + 1000, CancellationToken.None));
    }

    private async Task AppendAsync(string jti, DateTimeOffset at, string? token = null) =>
        await Store.AppendAsync(new NewEvent("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", at), [new NewDelivery("s1", jti, token)], CancellationToken.None);
}
