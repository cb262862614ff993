using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// The event log and the delivery queues, and the store as a whole: the behaviour every storage
/// provider must have, written once and derived once per provider.
/// </summary>
public abstract class StoreContractTests : StoreContractBase
{
    protected IEventLog Log => Store;

    protected IDeliveryStore Deliveries => Store;

    [Fact]
    public async Task AppendAsync_NewEvent_IsStoredWithEveryField()
    {
        var appended = await Log.AppendAsync(Event("e1") with { Txn = "t-1", SourceStreamId = "in-1" }, [], CancellationToken.None);

        var stored = await Log.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None);

        Assert.False(appended.IsDuplicate);
        Assert.NotNull(stored);
        Assert.Equal(appended.Position, stored.Position);
        Assert.Equal("p1", stored.Project);
        Assert.Equal(["urn:a", "urn:b"], stored.EventTypes);
        Assert.Equal("token-e1", stored.Token);
        Assert.Equal(T0, stored.ReceivedAt);
        Assert.Equal("t-1", stored.Txn);
        Assert.Equal("in-1", stored.SourceStreamId);
    }

    [Fact]
    public async Task AppendAsync_TraceParent_IsReadWithEachOfTheEventsEntries()
    {
        // docs/OPERATIONS.md, "Metrics and traces": every delivery span links to the intake span.
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await Log.AppendAsync(Event("e1") with { TraceParent = traceParent }, [new("s1", "e1"), new("s2", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);

        var first = await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None);
        var second = await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None);

        Assert.Equal([traceParent, null], first.Select(e => e.TraceParent));
        Assert.Equal(traceParent, Assert.Single(second).TraceParent);
    }

    [Fact]
    public async Task AppendAsync_SameIssuerAndJti_IsADuplicateThatAddsNothing()
    {
        var first = await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);

        var second = await Log.AppendAsync(Event("e1") with { Token = "other" }, [new("s1", "e1-again"), new("s2", "e1")], CancellationToken.None);

        Assert.True(second.IsDuplicate);
        Assert.Equal(first.Position, second.Position);
        Assert.Equal("token-e1", (await Log.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None))!.Token);
        Assert.Single(await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Empty(await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_SameJtiFromAnotherIssuer_IsANewEvent()
    {
        var first = await Log.AppendAsync(Event("e1"), [], CancellationToken.None);

        var second = await Log.AppendAsync(Event("e1") with { Issuer = "https://other.example" }, [], CancellationToken.None);

        Assert.False(second.IsDuplicate);
        Assert.True(second.Position > first.Position);
    }

    [Fact]
    public async Task AppendAsync_SameIssuerAndJtiInAnotherProject_IsANewEventRoutedThere()
    {
        var first = await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);

        var second = await Log.AppendAsync(Event("e1") with { Project = "p2", Token = "token-p2" }, [new("s2", "e1")], CancellationToken.None);
        var again = await Log.AppendAsync(Event("e1") with { Project = "p2" }, [new("s3", "e1")], CancellationToken.None);

        Assert.False(second.IsDuplicate);
        Assert.True(second.Position > first.Position);
        Assert.Equal((true, second.Position), (again.IsDuplicate, again.Position));
        Assert.Equal("token-e1", (await Log.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None))!.Token);
        Assert.Equal("token-p2", (await Log.FindAsync("p2", "https://tx.example", "e1", CancellationToken.None))!.Token);
        Assert.Null(await Log.FindAsync("p3", "https://tx.example", "e1", CancellationToken.None));
        Assert.Equal(["e1"], (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.Equal(["e1"], (await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.Empty(await Deliveries.ReadPendingAsync("s3", 10, CancellationToken.None));
    }

    [Fact]
    public async Task ReadPendingAsync_EntriesOfEachStream_ComeOldestFirstUpToMax()
    {
        for (var i = 0; i < 5; i++)
        {
            await Log.AppendAsync(Event($"e{i}"), [new("s1", $"e{i}"), new("s2", $"s2-e{i}", $"signed-{i}")], CancellationToken.None);
        }

        var s1 = await Deliveries.ReadPendingAsync("s1", 3, CancellationToken.None);
        var s2 = await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None);

        Assert.Equal(["e0", "e1", "e2"], s1.Select(e => e.Jti));
        Assert.Equal(["s2-e0", "s2-e1", "s2-e2", "s2-e3", "s2-e4"], s2.Select(e => e.Jti));
        Assert.True(s2.Zip(s2.Skip(1)).All(p => p.First.Id < p.Second.Id));
        Assert.All(s1, e => Assert.Null(e.Token));
        Assert.Equal("signed-0", s2[0].Token);
        Assert.Equal("token-e0", s2[0].EventToken);
        Assert.All(s2, e => Assert.Equal(DeliveryState.Pending, e.State));
        Assert.Equal(5, await Deliveries.CountPendingAsync("s1", CancellationToken.None));
        Assert.Empty(await Deliveries.ReadPendingAsync("s1", 0, CancellationToken.None));
    }

    [Fact]
    public async Task AcknowledgeAsync_SettlesOnlyThatStreamsPendingEntries()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1"), new("s2", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);

        var changed = await Deliveries.AcknowledgeAsync("s1", ["e1", "unknown"], T0, CancellationToken.None);
        var again = await Deliveries.AcknowledgeAsync("s1", ["e1"], T0, CancellationToken.None);

        Assert.Equal(1, changed);
        Assert.Equal(0, again);
        Assert.Equal(["e2"], (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.Equal(["e1"], (await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task AcknowledgeAsync_MixedBatch_CountsOnlyPendingEntriesItSettled()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);
        await Log.AppendAsync(Event("e3"), [new("s1", "e3")], CancellationToken.None);
        await Log.AppendAsync(Event("e4"), [new("s2", "e4")], CancellationToken.None);
        await Log.AppendAsync(Event("e5"), [new("s1", "e5")], CancellationToken.None);
        await Deliveries.AcknowledgeAsync("s1", ["e1"], T0, CancellationToken.None);
        await Deliveries.DeadLetterAsync("s1", [new DeliveryFailure("e2", "invalid_request", null)], T0, CancellationToken.None);

        // Already delivered, dead letter, pending twice, another stream's, unknown, pending.
        var changed = await Deliveries.AcknowledgeAsync("s1", ["e1", "e2", "e3", "e3", "e4", "unknown", "e5"], T0.AddSeconds(1), CancellationToken.None);

        Assert.Equal(2, changed);
        Assert.Empty(await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Equal("e2", Assert.Single(await Deliveries.ReadDeadLettersAsync("s1", 10, CancellationToken.None)).Jti);
        Assert.Equal(["e4"], (await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task AcknowledgeAsync_AThousandJtis_SettlesEachOnce()
    {
        for (var i = 0; i < 1001; i++)
        {
            await Log.AppendAsync(Event($"e{i}"), [new("s1", $"e{i}")], CancellationToken.None);
        }

        var changed = await Deliveries.AcknowledgeAsync("s1", Enumerable.Range(0, 1000).Select(i => $"e{i}").ToList(), T0, CancellationToken.None);

        Assert.Equal(1000, changed);
        Assert.Equal(["e1000"], (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Theory]
    [InlineData("ev-\u00e9\u4e2d")]
    [InlineData("quote\"back\\slash")]
    [InlineData("<script>&'")]
    public async Task AcknowledgeAsync_JtiWithCharactersJsonEscapes_IsMatchedExactly(string jti)
    {
        await Log.AppendAsync(Event(jti), [new("s1", jti)], CancellationToken.None);
        await Log.AppendAsync(Event("other"), [new("s1", "other")], CancellationToken.None);

        var changed = await Deliveries.AcknowledgeAsync("s1", [jti], T0, CancellationToken.None);

        Assert.Equal(1, changed);
        Assert.Equal(["other"], (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task DeadLetterAsync_MovesEntriesWithTheirErrors()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);

        var changed = await Deliveries.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_audience", "not for us")], T0, CancellationToken.None);

        Assert.Equal(1, changed);
        Assert.Equal(["e2"], (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
        var dead = Assert.Single(await Deliveries.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
        Assert.Equal("e1", dead.Jti);
        Assert.Equal(DeliveryState.DeadLetter, dead.State);
        Assert.Equal("invalid_audience: not for us", dead.LastError);
    }

    [Fact]
    public async Task RecordFailedAttemptAsync_CountsAttemptsAndKeepsTheEntryPending()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);
        var entry = (await Deliveries.ReadPendingAsync("s1", 1, CancellationToken.None))[0];

        await Deliveries.RecordFailedAttemptAsync("s1", entry.Id, "HTTP 503", new DeliveryAttempt(T0), T0.AddSeconds(2), CancellationToken.None);
        await Deliveries.RecordFailedAttemptAsync("s1", entry.Id, "timeout", new DeliveryAttempt(T0), T0.AddSeconds(6), CancellationToken.None);

        var retried = Assert.Single(await Deliveries.ReadPendingAsync("s1", 1, CancellationToken.None));
        Assert.Equal(2, retried.Attempts);
        Assert.Equal("timeout", retried.LastError);
        Assert.Equal(T0.AddSeconds(6), retried.NextAttemptAt);
    }

    [Fact]
    public async Task StoreTokenAsync_KeepsTheFirstSignatureOnly()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "s1-e1")], CancellationToken.None);
        var entry = (await Deliveries.ReadPendingAsync("s1", 1, CancellationToken.None))[0];

        await Deliveries.StoreTokenAsync("s1", entry.Id, "first", CancellationToken.None);
        await Deliveries.StoreTokenAsync("s1", entry.Id, "second", CancellationToken.None);

        Assert.Equal("first", (await Deliveries.ReadPendingAsync("s1", 1, CancellationToken.None))[0].Token);
    }

    [Fact]
    public async Task DiscardPendingAsync_DropsPendingEntriesButKeepsDeadLetters()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);
        await Deliveries.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", null)], T0, CancellationToken.None);

        var dropped = await Deliveries.DiscardPendingAsync("s1", CancellationToken.None);

        Assert.Equal(1, dropped);
        Assert.Empty(await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Single(await Deliveries.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
    }

    [Fact]
    public async Task RetryPendingNowAsync_ClearsTheBackOffOfThatStreamsPendingEntriesOnly()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1"), new("s2", "e1")], CancellationToken.None);
        await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);
        var s1 = await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None);
        var s2 = await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None);
        await Deliveries.RecordFailedAttemptAsync("s1", s1[0].Id, "http_401", new DeliveryAttempt(T0), T0.AddHours(1), CancellationToken.None);
        await Deliveries.RecordFailedAttemptAsync("s2", s2[0].Id, "http_500", new DeliveryAttempt(T0), T0.AddHours(1), CancellationToken.None);

        var cleared = await Deliveries.RetryPendingNowAsync("s1", CancellationToken.None);

        Assert.Equal(1, cleared);
        var after = await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None);
        Assert.All(after, e => Assert.Null(e.NextAttemptAt));
        Assert.Equal(1, after[0].Attempts);
        Assert.Equal(T0.AddHours(1), Assert.Single(await Deliveries.ReadPendingAsync("s2", 10, CancellationToken.None)).NextAttemptAt);
    }

    [Fact]
    public async Task FindByJtiAsync_FindsTheEventByItsOwnOrADeliveredJti()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "republished-1")], CancellationToken.None);

        Assert.Equal("e1", (await Log.FindByJtiAsync(null, "e1", CancellationToken.None))?.Jti);
        Assert.Equal("e1", (await Log.FindByJtiAsync(null, "republished-1", CancellationToken.None))?.Jti);
        Assert.Null(await Log.FindByJtiAsync(null, "nothing", CancellationToken.None));
    }

    [Fact]
    public async Task FindByJtiAsync_WithAProject_FindsOnlyThatProjectsCopy()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "republished-1")], CancellationToken.None);
        await Log.AppendAsync(Event("e1") with { Project = "p2" }, [new("s2", "republished-2")], CancellationToken.None);

        Assert.Equal("p1", (await Log.FindByJtiAsync("p1", "e1", CancellationToken.None))?.Project);
        Assert.Equal("p2", (await Log.FindByJtiAsync("p2", "e1", CancellationToken.None))?.Project);
        Assert.Null(await Log.FindByJtiAsync("p3", "e1", CancellationToken.None));
        Assert.Equal("p2", (await Log.FindByJtiAsync("p2", "republished-2", CancellationToken.None))?.Project);
        Assert.Null(await Log.FindByJtiAsync("p1", "republished-2", CancellationToken.None));
    }

    [Fact]
    public async Task SearchAsync_MatchesEveryFilterSet_NewestFirst_AndPagesByPosition()
    {
        const string session = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
        const string odd = "urn:example:odd_type%";
        await Log.AppendAsync(new NewEvent("https://a.example", "a1", "p1", [session], "t", T0) { Txn = "x" }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "a2", "p1", ["urn:other", session], "t", T0.AddMinutes(1)) { SourceStreamId = "in-1" }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "a3", "p2", [session], "t", T0.AddMinutes(2)) { Txn = "x" }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "a4", "p1", [odd], "t", T0.AddMinutes(3)), [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "a5", "p1", ["urn:example:oddXtypeY"], "t", T0.AddMinutes(4)), [], CancellationToken.None);

        async Task<string[]> JtisAsync(EventQuery query) => [.. (await Log.SearchAsync(query, CancellationToken.None)).Select(e => e.Jti)];

        Assert.Equal(["a5", "a4", "a3", "a2", "a1"], await JtisAsync(new EventQuery()));
        Assert.Equal(["a5", "a4", "a2", "a1"], await JtisAsync(new EventQuery { Project = "p1" }));
        Assert.Equal(["a3", "a2", "a1"], await JtisAsync(new EventQuery { EventType = session }));
        Assert.Equal(["a4"], await JtisAsync(new EventQuery { EventType = odd }));
        Assert.Empty(await JtisAsync(new EventQuery { EventType = "urn:other:more" }));
        Assert.Equal(["a3", "a1"], await JtisAsync(new EventQuery { Txn = "x" }));
        Assert.Equal(["a1"], await JtisAsync(new EventQuery { Txn = "x", Project = "p1" }));
        Assert.Equal(["a2"], await JtisAsync(new EventQuery { SourceStreamId = "in-1" }));
        Assert.Equal(["a3", "a2"], await JtisAsync(new EventQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(3) }));

        var first = await Log.SearchAsync(new EventQuery { Limit = 2 }, CancellationToken.None);
        Assert.Equal(["a5", "a4"], first.Select(e => e.Jti));
        Assert.Equal(["a3", "a2"], await JtisAsync(new EventQuery { Limit = 2, Before = first[^1].Position }));
        var stored = (await Log.SearchAsync(new EventQuery { SourceStreamId = "in-1" }, CancellationToken.None))[0];
        Assert.Equal((T0.AddMinutes(1), "p1", "in-1"), (stored.ReceivedAt, stored.Project, stored.SourceStreamId));
        Assert.Equal(["urn:other", session], stored.EventTypes);
    }

    [Fact]
    public async Task SearchAsync_ByTime_FindsEventsStoredOutOfTheOrderOfTheirReceiveTimes_WithinTheSlack()
    {
        // Positions follow commits, receive times the requests: a few seconds apart either way. The time
        // bounds narrow the positions walked (EventSearchSql.ReceiveOrderSlack), and must not lose these.
        var late = T0.AddHours(1);
        await Log.AppendAsync(new NewEvent("https://a.example", "old", "p1", ["urn:a"], "t", T0) { SubjectKeys = ["u"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "b", "p1", ["urn:a"], "t", late.AddSeconds(20)) { SubjectKeys = ["u"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "a", "p1", ["urn:a"], "t", late.AddSeconds(10)) { SubjectKeys = ["u"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "d", "p1", ["urn:a"], "t", late.AddSeconds(40)) { SubjectKeys = ["u"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "c", "p1", ["urn:a"], "t", late.AddSeconds(30)) { SubjectKeys = ["u"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "new", "p1", ["urn:a"], "t", late.AddHours(1)) { SubjectKeys = ["u"] }, [], CancellationToken.None);

        async Task<string[]> JtisAsync(EventQuery query) => [.. (await Log.SearchAsync(query, CancellationToken.None)).Select(e => e.Jti)];

        foreach (var filter in new[] { new EventQuery(), new EventQuery { Project = "p1" }, new EventQuery { Subject = "u" }, new EventQuery { EventType = "urn:a" } })
        {
            Assert.Equal(["a", "b", "old"], await JtisAsync(filter with { Until = late.AddSeconds(25) }));
            Assert.Equal(["new", "c", "d"], await JtisAsync(filter with { Since = late.AddSeconds(25) }));
            Assert.Equal(["c", "b"], await JtisAsync(filter with { Since = late.AddSeconds(15), Until = late.AddSeconds(35) }));
            Assert.Equal(["old"], await JtisAsync(filter with { Until = T0.AddMinutes(1) }));
            Assert.Equal(["new"], await JtisAsync(filter with { Since = late.AddMinutes(30) }));
            Assert.Empty(await JtisAsync(filter with { Since = late.AddHours(2) }));
            Assert.Empty(await JtisAsync(filter with { Until = T0 }));
            Assert.Equal(["new", "c", "d", "a", "b", "old"], await JtisAsync(filter with { Since = DateTimeOffset.FromUnixTimeSeconds(0), Until = DateTimeOffset.MaxValue }));
        }

        var first = await Log.SearchAsync(new EventQuery { Until = late.AddSeconds(45), Limit = 2 }, CancellationToken.None);
        Assert.Equal(["c", "d"], first.Select(e => e.Jti));
        Assert.Equal(["a", "b"], await JtisAsync(new EventQuery { Until = late.AddSeconds(45), Limit = 2, Before = first[^1].Position }));
    }

    [Fact]
    public async Task SearchAsync_BySubject_FindsEventsByAnyOfTheirSubjectKeys_WithTheOtherFilters_AndPages()
    {
        string[] alice = ["alice@example.com", "email:alice@example.com"];
        await Log.AppendAsync(new NewEvent("https://a.example", "s1", "p1", ["urn:a"], "t", T0) { SubjectKeys = alice, Txn = "x" }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "s2", "p1", ["urn:a"], "t", T0.AddMinutes(1)) { SubjectKeys = ["bob@example.com", "email:bob@example.com"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "s3", "p2", ["urn:b"], "t", T0.AddMinutes(2)) { SubjectKeys = alice }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "s4", "p1", ["urn:b"], "t", T0.AddMinutes(3)) { SubjectKeys = [.. alice, "alice@example.com"] }, [], CancellationToken.None);
        await Log.AppendAsync(new NewEvent("https://a.example", "s5", "p1", ["urn:a"], "t", T0.AddMinutes(4)), [], CancellationToken.None);

        async Task<string[]> JtisAsync(EventQuery query) => [.. (await Log.SearchAsync(query, CancellationToken.None)).Select(e => e.Jti)];

        Assert.Equal(["s4", "s3", "s1"], await JtisAsync(new EventQuery { Subject = "alice@example.com" }));
        Assert.Equal(["s4", "s3", "s1"], await JtisAsync(new EventQuery { Subject = "email:alice@example.com" }));
        Assert.Equal(["s2"], await JtisAsync(new EventQuery { Subject = "bob@example.com" }));
        Assert.Empty(await JtisAsync(new EventQuery { Subject = "ALICE@example.com" }));
        Assert.Empty(await JtisAsync(new EventQuery { Subject = "example.com" }));
        Assert.Equal(["s4", "s1"], await JtisAsync(new EventQuery { Subject = "alice@example.com", Project = "p1" }));
        Assert.Equal(["s4", "s3"], await JtisAsync(new EventQuery { Subject = "alice@example.com", EventType = "urn:b" }));
        Assert.Equal(["s1"], await JtisAsync(new EventQuery { Subject = "alice@example.com", Txn = "x" }));
        Assert.Equal(["s3"], await JtisAsync(new EventQuery { Subject = "alice@example.com", Since = T0.AddMinutes(1), Until = T0.AddMinutes(3) }));

        var first = await Log.SearchAsync(new EventQuery { Subject = "alice@example.com", Limit = 2 }, CancellationToken.None);
        Assert.Equal(["s4", "s3"], first.Select(e => e.Jti));
        Assert.Equal(["s1"], await JtisAsync(new EventQuery { Subject = "alice@example.com", Limit = 2, Before = first[^1].Position }));
        Assert.Equal((T0.AddMinutes(2), "p2"), (first[1].ReceivedAt, first[1].Project));
    }

    [Fact]
    public async Task Reopen_KeepsEverythingAndNeverReusesPositions()
    {
        var first = await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);
        var second = await Log.AppendAsync(Event("e2"), [new("s1", "e2")], CancellationToken.None);
        var lastEntry = (await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None))[^1];
        await Deliveries.AcknowledgeAsync("s1", ["e1"], T0, CancellationToken.None);
        await Deliveries.DiscardPendingAsync("s1", CancellationToken.None);

        await ReopenAsync();
        var third = await Log.AppendAsync(Event("e3"), [new("s1", "e3")], CancellationToken.None);

        Assert.NotNull(await Log.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None));
        Assert.True((await Log.AppendAsync(Event("e2"), [], CancellationToken.None)).IsDuplicate);
        Assert.True(third.Position > second.Position && second.Position > first.Position);
        Assert.True(Assert.Single(await Deliveries.ReadPendingAsync("s1", 10, CancellationToken.None)).Id > lastEntry.Id);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentRequests_AllSucceedWithDistinctPositions()
    {
        var appends = Enumerable.Range(0, 200)
            .Select(i => Log.AppendAsync(Event($"c{i}"), [new("s1", $"c{i}")], CancellationToken.None).AsTask())
            .ToList();

        var results = await Task.WhenAll(appends);

        Assert.Equal(200, results.Select(r => r.Position).Distinct().Count());
        Assert.All(results, r => Assert.False(r.IsDuplicate));
        Assert.Equal(200, await Deliveries.CountPendingAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task IsHealthyAsync_OpenStore_IsTrueAndChangesNothingVisible()
    {
        await Log.AppendAsync(Event("e1"), [new("s1", "e1")], CancellationToken.None);

        Assert.True(await Store.IsHealthyAsync(CancellationToken.None));
        Assert.True(await Store.IsHealthyAsync(CancellationToken.None));

        Assert.Null(await Store.GetAdminTokenHashAsync(CancellationToken.None));
        Assert.Equal(1, await Deliveries.CountPendingAsync("s1", CancellationToken.None));
    }

    protected static NewEvent Event(string jti) =>
        new("https://tx.example", jti, "p1", ["urn:a", "urn:b"], $"token-{jti}", T0);
}
