using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>Backlog, dead-letter retry and discard, replay and retention, on every provider.</summary>
public abstract class DeliveryOperationsContractTests : StoreContractBase
{
    /// <summary>How many attempts the store keeps per entry, when the test (re)opens it.</summary>
    protected int AttemptsKept { get; set; } = AttemptLog.DefaultKept;

    [Fact]
    public async Task GetBacklogAsync_CountsPendingAndDeadAndNamesTheOldestAndTheLastError()
    {
        await AppendAsync("e1", T0);
        await AppendAsync("e2", T0.AddSeconds(5));
        await AppendAsync("e3", T0.AddSeconds(9));
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", "bad")], T0.AddSeconds(10), CancellationToken.None);
        var second = (await Store.ReadPendingAsync("s1", 1, CancellationToken.None))[0];
        await Store.RecordFailedAttemptAsync("s1", second.Id, "HTTP 503", new DeliveryAttempt(T0), T0.AddSeconds(20), CancellationToken.None);

        var backlog = await Store.GetBacklogAsync("s1", CancellationToken.None);
        var empty = await Store.GetBacklogAsync("nothing", CancellationToken.None);

        Assert.Equal(2, backlog.Pending);
        Assert.Equal(T0.AddSeconds(5), backlog.OldestPendingAt);
        Assert.Equal(1, backlog.DeadLetters);
        Assert.Equal("HTTP 503", backlog.LastError);
        Assert.Equal(new StreamBacklog(0, null, 0, null), empty);
    }

    [Fact]
    public async Task GetBacklogsAsync_GivesEachStreamWhatGetBacklogAsyncGives_InOneRead()
    {
        await AppendAsync("e1", T0);
        await AppendAsync("e2", T0.AddSeconds(5));
        await Store.AppendAsync(new NewEvent("https://tx.example", "e3", "p1", ["urn:a"], "token-e3", T0.AddSeconds(7)), [new NewDelivery("s2", "e3")], CancellationToken.None);
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", "bad")], T0.AddSeconds(10), CancellationToken.None);

        var backlogs = await Store.GetBacklogsAsync(["s1", "s2", "nothing"], CancellationToken.None);

        Assert.Equal(3, backlogs.Count);
        foreach (var stream in new[] { "s1", "s2", "nothing" })
        {
            Assert.Equal(await Store.GetBacklogAsync(stream, CancellationToken.None), backlogs[stream]);
        }

        Assert.Equal(new StreamBacklog(1, T0.AddSeconds(5), 1, "invalid_request: bad"), backlogs["s1"]);
        Assert.Equal(new StreamBacklog(0, null, 0, null), backlogs["nothing"]);
        Assert.Empty(await Store.GetBacklogsAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task ReadDeadLettersPageAsync_ListsDeadLettersOfTheStreamsNewestFirst_APageAtATime()
    {
        for (var i = 1; i <= 4; i++)
        {
            await Store.AppendAsync(
                new NewEvent("https://tx.example", $"e{i}", "p1", ["urn:a"], $"token-e{i}", T0.AddSeconds(i)),
                [new NewDelivery("s1", $"e{i}-s1"), new NewDelivery("s2", $"e{i}-s2"), new NewDelivery("s3", $"e{i}-s3")],
                CancellationToken.None);
        }

        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1-s1", "invalid_request", "bad"), new DeliveryFailure("e3-s1", "invalid_key", null)], T0.AddSeconds(10), CancellationToken.None);
        await Store.DeadLetterAsync("s2", [new DeliveryFailure("e2-s2", "invalid_audience", null)], T0.AddSeconds(10), CancellationToken.None);
        await Store.DeadLetterAsync("s3", [new DeliveryFailure("e4-s3", "invalid_issuer", null)], T0.AddSeconds(10), CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["e2-s1"], T0.AddSeconds(11), CancellationToken.None);

        var every = await Store.ReadDeadLettersPageAsync(null, null, 10, CancellationToken.None);
        var some = await Store.ReadDeadLettersPageAsync(["s1", "s2", "nothing"], null, 10, CancellationToken.None);
        var first = await Store.ReadDeadLettersPageAsync(["s1", "s2"], null, 2, CancellationToken.None);
        var second = await Store.ReadDeadLettersPageAsync(["s1", "s2"], first[^1].Id, 2, CancellationToken.None);

        Assert.Equal(["e4-s3", "e3-s1", "e2-s2", "e1-s1"], every.Select(d => d.Jti));
        Assert.Equal(["e3-s1", "e2-s2", "e1-s1"], some.Select(d => d.Jti));
        Assert.Equal(["e3-s1", "e2-s2"], first.Select(d => d.Jti));
        Assert.Equal(["e1-s1"], second.Select(d => d.Jti));
        var dead = some[^1];
        Assert.Equal(("s1", DeliveryState.DeadLetter, "invalid_request: bad", T0.AddSeconds(1), "token-e1"), (dead.StreamId, dead.State, dead.LastError, dead.CreatedAt, dead.EventToken));
        Assert.Empty(await Store.ReadDeadLettersPageAsync([], null, 10, CancellationToken.None));
        Assert.Empty(await Store.ReadDeadLettersPageAsync(null, every[^1].Id, 10, CancellationToken.None));
    }

    [Fact]
    public async Task PurgeEventsAsync_TakesTheEventsSubjectKeysAndTypesWithIt()
    {
        await Store.AppendAsync(new NewEvent("https://tx.example", "old", "p1", ["urn:a"], "t", T0) { SubjectKeys = ["alice", "email:alice"] }, [], CancellationToken.None);
        await Store.AppendAsync(new NewEvent("https://tx.example", "new", "p1", ["urn:a"], "t", T0.AddDays(8)) { SubjectKeys = ["alice"] }, [], CancellationToken.None);

        var purged = await Store.PurgeEventsAsync(T0.AddDays(7), 0, 10, CancellationToken.None);

        Assert.Equal(1, purged.Deleted);
        Assert.Equal(["new"], (await Store.SearchAsync(new EventQuery { Subject = "alice" }, CancellationToken.None)).Select(e => e.Jti));
        Assert.Empty(await Store.SearchAsync(new EventQuery { Subject = "email:alice" }, CancellationToken.None));
        Assert.Equal(["new"], (await Store.SearchAsync(new EventQuery { EventType = "urn:a" }, CancellationToken.None)).Select(e => e.Jti));
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
        await Store.RecordFailedAttemptAsync("s3", pending.Id, "HTTP 503", new DeliveryAttempt(T0), T0.AddSeconds(30), CancellationToken.None);

        var deliveries = await Store.ReadEventDeliveriesAsync(appended.Position, CancellationToken.None);

        // The acknowledgement counts as the attempt that delivered it; a dead letter the server gave up without an attempt counts none.
        Assert.Equal(
            [
                new EventDelivery("s1", "e1-s1", DeliveryState.Delivered, 1, null, T0, T0.AddSeconds(2)),
                new EventDelivery("s2", "e1-s2", DeliveryState.DeadLetter, 0, "invalid_key: unknown kid", T0, T0.AddSeconds(3)),
                new EventDelivery("s3", "e1-s3", DeliveryState.Pending, 1, "HTTP 503", T0, null),
            ],
            deliveries.Select(d => d with { AttemptLog = [] }));
        Assert.Empty(await Store.ReadEventDeliveriesAsync(appended.Position + 1000, CancellationToken.None));
    }

    [Fact]
    public async Task PushAttempts_AreCountedAndKeptWithTheEntry_InTheWriteThatSettlesIt()
    {
        await CreateStreamAsync("s1");
        var delivered = await AppendAsync("delivered", T0);
        var refused = await AppendAsync("refused", T0);
        var exhausted = await AppendAsync("exhausted", T0);
        var lease = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
        var pending = await Store.ReadPendingAsync("s1", 10, CancellationToken.None);
        var busy = new DeliveryAttempt(T0, 503, Duration: TimeSpan.FromMilliseconds(12), Response: "busy");
        var accepted = new DeliveryAttempt(T0.AddSeconds(1), 202, Duration: TimeSpan.FromMilliseconds(3));
        var refusal = new DeliveryAttempt(T0.AddSeconds(2), 400, "invalid_key", "unknown kid \"k1\"", TimeSpan.FromMilliseconds(4), """{"err":"invalid_key"}""");
        var timeout = new DeliveryAttempt(T0.AddSeconds(3), Error: "timeout", Duration: TimeSpan.FromSeconds(30));

        await Store.RecordFailedAttemptAsync(lease, pending[0].Id, "HTTP 503", busy, T0.AddSeconds(1), CancellationToken.None);
        await Store.AcknowledgeAsync(lease, [new DeliveredEntry("delivered", accepted)], T0.AddSeconds(1), CancellationToken.None);
        await Store.DeadLetterAsync(lease, [new DeliveryFailure("refused", "invalid_key", "unknown kid", refusal)], T0.AddSeconds(2), CancellationToken.None);
        await Store.RecordFailedAttemptAsync(lease, pending[2].Id, "timeout", timeout, T0.AddSeconds(4), CancellationToken.None);
        await Store.DeadLetterAsync(lease, [new DeliveryFailure("exhausted", "retries_exhausted", "Gave up", timeout with { At = T0.AddSeconds(5) })], T0.AddSeconds(5), CancellationToken.None);

        var first = Assert.Single(await Store.ReadEventDeliveriesAsync(delivered, CancellationToken.None));
        var second = Assert.Single(await Store.ReadEventDeliveriesAsync(refused, CancellationToken.None));
        var third = Assert.Single(await Store.ReadEventDeliveriesAsync(exhausted, CancellationToken.None));
        Assert.Equal((DeliveryState.Delivered, 2), (first.State, first.Attempts));
        Assert.Equal([busy, accepted], first.AttemptLog);
        Assert.Equal((DeliveryState.DeadLetter, 1), (second.State, second.Attempts));
        Assert.Equal([refusal], second.AttemptLog);
        Assert.Equal((DeliveryState.DeadLetter, 2), (third.State, third.Attempts));
        Assert.Equal([timeout, timeout with { At = T0.AddSeconds(5) }], third.AttemptLog);
    }

    [Fact]
    public async Task PushAttempts_ABatchOfDeliveredEntries_EachKeepsItsOwnAttempt()
    {
        await CreateStreamAsync("s1");
        var positions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            positions.Add(await AppendAsync($"e{i}", T0));
        }

        var lease = Assert.Single(await Store.TryAcquireLeasesAsync(["s1"], "node-a", TimeSpan.FromMinutes(1), CancellationToken.None));
        var attempts = Enumerable.Range(0, 5).Select(i => new DeliveredEntry($"e{i}", new DeliveryAttempt(T0.AddMilliseconds(i), 200 + i, Duration: TimeSpan.FromMilliseconds(i)))).ToList();

        Assert.Equal(5, await Store.AcknowledgeAsync(lease, attempts, T0.AddSeconds(1), CancellationToken.None));

        for (var i = 0; i < 5; i++)
        {
            var entry = Assert.Single(await Store.ReadEventDeliveriesAsync(positions[i], CancellationToken.None));
            Assert.Equal((DeliveryState.Delivered, 1), (entry.State, entry.Attempts));
            Assert.Equal([attempts[i].Attempt], entry.AttemptLog);
        }
    }

    [Fact]
    public async Task AttemptLog_KeepsTheLastAttemptsOnly_AndCountsThemAll()
    {
        AttemptsKept = 3;
        await ReopenAsync();
        var position = await AppendAsync("e1", T0);
        var entry = Assert.Single(await Store.ReadPendingAsync("s1", 1, CancellationToken.None));

        for (var i = 0; i < 5; i++)
        {
            await Store.RecordFailedAttemptAsync("s1", entry.Id, "HTTP 500", new DeliveryAttempt(T0.AddSeconds(i), 500), T0.AddSeconds(i + 1), CancellationToken.None);
        }

        await Store.AcknowledgeAsync("s1", ["e1"], T0.AddSeconds(9), CancellationToken.None);

        var delivery = Assert.Single(await Store.ReadEventDeliveriesAsync(position, CancellationToken.None));
        Assert.Equal(6, delivery.Attempts);
        Assert.Equal([T0.AddSeconds(3), T0.AddSeconds(4), T0.AddSeconds(9)], delivery.AttemptLog.Select(a => a.At));
        Assert.Equal([500, 500, null], delivery.AttemptLog.Select(a => a.Status));
    }

    [Fact]
    public async Task PollAcknowledgementsAndErrors_AreAttempts_AServerGiveUpIsNot()
    {
        var acknowledged = await AppendAsync("acked", T0);
        var reported = await AppendAsync("reported", T0);
        var superseded = await AppendAsync("superseded", T0);

        await Store.AcknowledgeAsync("s1", ["acked"], T0.AddSeconds(1), CancellationToken.None);
        await Store.DeadLetterAsync(
            "s1",
            [
                new DeliveryFailure("reported", "invalid_issuer", "unknown iss", new DeliveryAttempt(T0.AddSeconds(2), Error: "invalid_issuer", Description: "unknown iss")),
                new DeliveryFailure("superseded", "superseded", "The stream's status changed."),
            ],
            T0.AddSeconds(2),
            CancellationToken.None);

        var ack = Assert.Single(await Store.ReadEventDeliveriesAsync(acknowledged, CancellationToken.None));
        var report = Assert.Single(await Store.ReadEventDeliveriesAsync(reported, CancellationToken.None));
        var gaveUp = Assert.Single(await Store.ReadEventDeliveriesAsync(superseded, CancellationToken.None));
        Assert.Equal(1, ack.Attempts);
        Assert.Equal([new DeliveryAttempt(T0.AddSeconds(1))], ack.AttemptLog);
        Assert.Equal(1, report.Attempts);
        Assert.Equal([new DeliveryAttempt(T0.AddSeconds(2), Error: "invalid_issuer", Description: "unknown iss")], report.AttemptLog);
        Assert.Equal((0, 0), (gaveUp.Attempts, gaveUp.AttemptLog.Count));
    }

    [Fact]
    public async Task AttemptLog_KeptAcrossARetryOfTheDeadLetter_AndPurgedWithTheEntry()
    {
        var position = await AppendAsync("e1", T0);
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_key", null, new DeliveryAttempt(T0, 400, "invalid_key"))], T0, CancellationToken.None);
        await Store.RetryDeadLettersAsync("s1", null, CancellationToken.None);
        var requeued = Assert.Single(await Store.ReadEventDeliveriesAsync(position, CancellationToken.None));
        await Store.AcknowledgeAsync("s1", ["e1"], T0.AddMinutes(1), CancellationToken.None);

        var step = await Store.PurgeEntriesAsync(T0.AddDays(1), 0, 10, CancellationToken.None);

        // Queued again, the entry counts its attempts afresh (the retry back-off starts over) and still shows the refusal.
        Assert.Equal((DeliveryState.Pending, 0, 1), (requeued.State, requeued.Attempts, requeued.AttemptLog.Count));
        Assert.Equal(1, step.Deleted);
        Assert.Empty(await Store.ReadEventDeliveriesAsync(position, CancellationToken.None));
    }

    [Fact]
    public async Task ReadStreamEntriesAsync_PagesTheStreamsEntriesNewestFirst_WithTheirAttempts_InEachStateOrAll()
    {
        for (var i = 0; i < 10; i++)
        {
            await AppendAsync($"e{i}", T0.AddSeconds(i));
        }

        await Store.AppendAsync(new NewEvent("https://tx.example", "other", "p1", ["urn:a"], "token-other", T0), [new NewDelivery("s2", "other")], CancellationToken.None);
        var refusal = new DeliveryAttempt(T0.AddSeconds(20), 400, "invalid_key", "unknown kid", TimeSpan.FromMilliseconds(4), """{"err":"invalid_key"}""");
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e2", "invalid_key", "unknown kid", refusal)], T0.AddSeconds(20), CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["e0", "e1", "e3"], T0.AddSeconds(21), CancellationToken.None);
        var e5 = (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Single(e => e.Jti == "e5");
        var busy = new DeliveryAttempt(T0.AddSeconds(22), 503, Duration: TimeSpan.FromMilliseconds(9), Response: "busy");
        await Store.RecordFailedAttemptAsync("s1", e5.Id, "HTTP 503", busy, T0.AddSeconds(30), CancellationToken.None);

        var newest = await Store.ReadStreamEntriesAsync("s1", null, null, null, 4, CancellationToken.None);
        var older = await Store.ReadStreamEntriesAsync("s1", null, newest[^1].Id, null, 4, CancellationToken.None);
        var oldest = await Store.ReadStreamEntriesAsync("s1", null, older[^1].Id, null, 4, CancellationToken.None);
        var backToNewest = await Store.ReadStreamEntriesAsync("s1", null, null, older[0].Id, 4, CancellationToken.None);

        Assert.Equal(["e9", "e8", "e7", "e6"], newest.Select(e => e.Delivery.Jti));
        Assert.Equal(["e5", "e4", "e3", "e2"], older.Select(e => e.Delivery.Jti));
        Assert.Equal(["e1", "e0"], oldest.Select(e => e.Delivery.Jti));
        Assert.Equal(newest.Select(e => e.Id), backToNewest.Select(e => e.Id));
        Assert.True(newest.Concat(older).Concat(oldest).Select(e => e.Id).SequenceEqual(newest.Concat(older).Concat(oldest).Select(e => e.Id).OrderDescending()));

        var pending = older[0].Delivery;
        Assert.Equal(new EventDelivery("s1", "e5", DeliveryState.Pending, 1, "HTTP 503", T0.AddSeconds(5), null), pending with { AttemptLog = [] });
        Assert.Equal([busy], pending.AttemptLog);
        var dead = older[3].Delivery;
        Assert.Equal(new EventDelivery("s1", "e2", DeliveryState.DeadLetter, 1, "invalid_key: unknown kid", T0.AddSeconds(2), T0.AddSeconds(20)), dead with { AttemptLog = [] });
        Assert.Equal([refusal], dead.AttemptLog);
        Assert.Equal(DeliveryState.Delivered, older[2].Delivery.State);
        Assert.Equal(T0.AddSeconds(21), older[2].Delivery.CompletedAt);

        Assert.Equal(["e3", "e1", "e0"], (await Store.ReadStreamEntriesAsync("s1", DeliveryState.Delivered, null, null, 50, CancellationToken.None)).Select(e => e.Delivery.Jti));
        Assert.Equal(["e2"], (await Store.ReadStreamEntriesAsync("s1", DeliveryState.DeadLetter, null, null, 50, CancellationToken.None)).Select(e => e.Delivery.Jti));
        Assert.Equal(["e9", "e8", "e7", "e6", "e5", "e4"], (await Store.ReadStreamEntriesAsync("s1", DeliveryState.Pending, null, null, 50, CancellationToken.None)).Select(e => e.Delivery.Jti));
        Assert.Equal(["e6", "e5"], (await Store.ReadStreamEntriesAsync("s1", DeliveryState.Pending, newest[2].Id, null, 2, CancellationToken.None)).Select(e => e.Delivery.Jti));
        Assert.Equal(["other"], (await Store.ReadStreamEntriesAsync("s2", null, null, null, 50, CancellationToken.None)).Select(e => e.Delivery.Jti));
        Assert.Empty(await Store.ReadStreamEntriesAsync("nothing", null, null, null, 50, CancellationToken.None));
    }

    private async Task<long> AppendAsync(string jti, DateTimeOffset at, string? token = null) =>
        (await Store.AppendAsync(new NewEvent("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", at), [new NewDelivery("s1", jti, token)], CancellationToken.None)).Position;
}
