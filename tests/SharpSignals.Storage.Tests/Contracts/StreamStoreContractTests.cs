using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Tests.Contracts;

/// <summary>
/// Streams and their subjects, as every provider must keep them:
/// <list type="bullet">
/// <item>Callers generate stream ids; creating a stream with an id already stored fails with an exception and changes nothing.</item>
/// <item>Update replaces every stored value but the id, and returns false (creating nothing) for an unknown id.</item>
/// <item>Delete removes the stream, its subjects and all its delivery entries (pending, delivered and dead) in one transaction; the events stay in the log.</item>
/// <item>Listing is oldest first (equal creation times by stream id), filtered by whichever of project and owner is set.</item>
/// <item>A subject is kept as added (included) or removed (excluded). Recording one that is there again, either way, replaces it: it goes last, with its new values.</item>
/// <item>Subjects are listed in the order they were recorded (call order, not <c>added_at</c> order): the receiver's latest word on each comes last; a subject forgotten and added again goes last too.</item>
/// <item>Creating within a limit stores the stream only while its owner has fewer streams than the limit (an ownerless stream is not counted); adding a subject within a limit stores it only while the stream records fewer subjects, added or removed, or when it replaces one. Concurrent calls never pass the limit.</item>
/// <item>A subject can only be added to a stream that exists; otherwise the call fails with an exception.</item>
/// </list>
/// </summary>
public abstract class StreamStoreContractTests : StoreContractBase
{
    [Fact]
    public async Task CreateStreamAsync_NewStream_IsStoredWithEveryField()
    {
        var full = Stream("s1") with
        {
            StatusReason = "receiver asked",
            LastActivityAt = T0.AddMinutes(5),
            LastVerificationAt = T0.AddMinutes(6),
            PauseNoticePosition = 5_000_000_000,
        };
        var bare = Stream("s2", project: "p2", owner: null, created: T0.AddSeconds(1)) with { Direction = "inbound", Status = "paused" };

        await Store.CreateStreamAsync(full, CancellationToken.None);
        await Store.CreateStreamAsync(bare, CancellationToken.None);

        Assert.Equal(full, await Store.GetStreamAsync("s1", CancellationToken.None));
        Assert.Equal(bare, await Store.GetStreamAsync("s2", CancellationToken.None));
        Assert.Null(await Store.GetStreamAsync("unknown", CancellationToken.None));
    }

    [Fact]
    public async Task CreateStreamAsync_ExistingId_FailsAndKeepsTheFirst()
    {
        var first = Stream("s1");
        await Store.CreateStreamAsync(first, CancellationToken.None);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateStreamAsync(Stream("s1", project: "p2") with { Status = "disabled" }, CancellationToken.None).AsTask());

        Assert.Equal(first, await Store.GetStreamAsync("s1", CancellationToken.None));
        Assert.Single(await Store.ListStreamsAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task ListStreamsAsync_FiltersByWhicheverIsSet_OldestFirst()
    {
        // Created out of time order, with one tie, so neither insertion order nor id order alone passes.
        await Store.CreateStreamAsync(Stream("d", "p1", "c1", T0.AddSeconds(3)), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("b", "p2", "c1", T0.AddSeconds(1)), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("c", "p1", null, T0.AddSeconds(2)), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("a", "p1", "c2", T0.AddSeconds(2)), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("e", "p1", "c1", T0), CancellationToken.None);

        Assert.Equal(["e", "b", "a", "c", "d"], await Ids(null, null));
        Assert.Equal(["e", "a", "c", "d"], await Ids("p1", null));
        Assert.Equal(["e", "b", "d"], await Ids(null, "c1"));
        Assert.Equal(["e", "d"], await Ids("p1", "c1"));
        Assert.Equal(["b"], await Ids("p2", "c1"));
        Assert.Empty(await Ids("p2", "c2"));
        Assert.Empty(await Ids("p3", null));

        async Task<IEnumerable<string>> Ids(string? project, string? owner) =>
            (await Store.ListStreamsAsync(project, owner, CancellationToken.None)).Select(s => s.StreamId);
    }

    [Fact]
    public async Task UpdateStreamAsync_KnownStream_ReplacesEveryValueOfThatStreamOnly()
    {
        await Store.CreateStreamAsync(Stream("s1") with { StatusReason = "initial", LastVerificationAt = T0 }, CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        var updated = Stream("s1", project: "p2", owner: "c2", created: T0.AddSeconds(-1)) with
        {
            Direction = "inbound",
            Status = "paused",
            PauseNoticePosition = 42,
            Configuration = """{"events_requested":["urn:b"]}""",
            UpdatedAt = T0.AddHours(1),
            StatusReason = null,
            LastActivityAt = T0.AddHours(1),
            LastVerificationAt = null,
        };

        var changed = await Store.UpdateStreamAsync(updated, CancellationToken.None);

        Assert.True(changed);
        Assert.Equal(updated, await Store.GetStreamAsync("s1", CancellationToken.None));
        Assert.Equal(Stream("s2"), await Store.GetStreamAsync("s2", CancellationToken.None));
    }

    [Fact]
    public async Task SetSourceErrorAsync_IsKeptAndCleared_AndNoStreamUpdateUndoesIt()
    {
        await Store.CreateStreamAsync(Stream("s1") with { SourceError = "ignored on create" }, CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        Assert.Null((await Store.GetStreamAsync("s1", CancellationToken.None))!.SourceError);

        await Store.SetSourceErrorAsync("s1", "HTTP 401", CancellationToken.None);
        await Store.UpdateStreamAsync(Stream("s1") with { Status = "paused", SourceError = "ignored on update" }, CancellationToken.None);
        await Store.SetSourceErrorAsync("gone", "HTTP 500", CancellationToken.None);

        var stored = await Store.GetStreamAsync("s1", CancellationToken.None);
        Assert.Equal(("paused", "HTTP 401"), (stored!.Status, stored.SourceError));
        Assert.Equal("HTTP 401", (await Store.ListStreamsAsync("p1", null, CancellationToken.None)).Single(s => s.StreamId == "s1").SourceError);
        Assert.Null((await Store.GetStreamAsync("s2", CancellationToken.None))!.SourceError);
        Assert.Null(await Store.GetStreamAsync("gone", CancellationToken.None));

        await Store.SetSourceErrorAsync("s1", null, CancellationToken.None);
        Assert.Null((await Store.GetStreamAsync("s1", CancellationToken.None))!.SourceError);
    }

    [Fact]
    public async Task SetCredentialHashAsync_IsReplacedAndCleared_AndNoStreamUpdateUndoesIt()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        Assert.Null(await Store.GetCredentialHashAsync("s1", CancellationToken.None));

        Assert.True(await Store.SetCredentialHashAsync("s1", "hash-1", CancellationToken.None));
        Assert.True(await Store.SetCredentialHashAsync("s1", "hash-2", CancellationToken.None));
        await Store.UpdateStreamAsync(Stream("s1") with { Status = "paused" }, CancellationToken.None);
        Assert.False(await Store.SetCredentialHashAsync("gone", "hash-3", CancellationToken.None));

        Assert.Equal("hash-2", await Store.GetCredentialHashAsync("s1", CancellationToken.None));
        Assert.Null(await Store.GetCredentialHashAsync("s2", CancellationToken.None));
        Assert.Null(await Store.GetCredentialHashAsync("gone", CancellationToken.None));

        Assert.True(await Store.SetCredentialHashAsync("s1", null, CancellationToken.None));
        Assert.Null(await Store.GetCredentialHashAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateStreamAsync_UnknownId_IsFalseAndCreatesNothing()
    {
        var changed = await Store.UpdateStreamAsync(Stream("ghost"), CancellationToken.None);

        Assert.False(changed);
        Assert.Null(await Store.GetStreamAsync("ghost", CancellationToken.None));
        Assert.Empty(await Store.ListStreamsAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteStreamAsync_RemovesTheStreamItsSubjectsAndItsDeliveriesOnly()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k1"), CancellationToken.None);
        await Store.AddSubjectAsync("s2", Subject("k1"), CancellationToken.None);
        await Store.AppendAsync(Event("e1"), [new NewDelivery("s1", "e1"), new NewDelivery("s2", "e1")], CancellationToken.None);
        await Store.AppendAsync(Event("e2"), [new NewDelivery("s1", "e2")], CancellationToken.None);
        await Store.AppendAsync(Event("e3"), [new NewDelivery("s1", "e3")], CancellationToken.None);
        await Store.AcknowledgeAsync("s1", ["e2"], T0, CancellationToken.None);
        await Store.DeadLetterAsync("s1", [new DeliveryFailure("e3", "invalid_request", null)], T0, CancellationToken.None);

        var deleted = await Store.DeleteStreamAsync("s1", CancellationToken.None);
        var again = await Store.DeleteStreamAsync("s1", CancellationToken.None);

        Assert.True(deleted);
        Assert.False(again);
        Assert.Null(await Store.GetStreamAsync("s1", CancellationToken.None));
        Assert.Empty(await Store.ListSubjectsAsync("s1", CancellationToken.None));
        Assert.Empty(await Store.ReadPendingAsync("s1", 10, CancellationToken.None));
        Assert.Empty(await Store.ReadDeadLettersAsync("s1", 10, CancellationToken.None));
        Assert.NotNull(await Store.GetStreamAsync("s2", CancellationToken.None));
        Assert.Equal(["k1"], (await Store.ListSubjectsAsync("s2", CancellationToken.None)).Select(s => s.SubjectKey));
        Assert.Equal(["e1"], (await Store.ReadPendingAsync("s2", 10, CancellationToken.None)).Select(e => e.Jti));
        Assert.NotNull(await Store.FindAsync("p1", "https://tx.example", "e2", CancellationToken.None));

        // A stream created again under the same id starts empty; the delivered entry's jti is free again too.
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        Assert.Empty(await Store.ListSubjectsAsync("s1", CancellationToken.None));
        await Store.AppendAsync(Event("e4"), [new NewDelivery("s1", "e2")], CancellationToken.None);
        Assert.Equal(["e2"], (await Store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task DeleteStreamAsync_UnknownId_IsFalse()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);

        Assert.False(await Store.DeleteStreamAsync("ghost", CancellationToken.None));
        Assert.NotNull(await Store.GetStreamAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task ListSubjectsAsync_ComesInTheOrderAdded()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);

        // Keys out of alphabetical order and added_at running backwards: only call order fits.
        await Store.AddSubjectAsync("s1", Subject("m", T0.AddSeconds(2)), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("z", T0.AddSeconds(1)), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("a", T0), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("b", T0), CancellationToken.None);

        var subjects = await Store.ListSubjectsAsync("s1", CancellationToken.None);

        Assert.Equal(["m", "z", "a", "b"], subjects.Select(s => s.SubjectKey));
        Assert.Equal(Subject("z", T0.AddSeconds(1)), subjects[1]);
        Assert.Empty(await Store.ListSubjectsAsync("s2", CancellationToken.None));
    }

    [Fact]
    public async Task ListAllSubjectsAsync_GivesEachStreamsSubjectsInTheOrderAdded_AndLeavesOutStreamsWithNone()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s3"), CancellationToken.None);
        await Store.AddSubjectAsync("s2", Subject("z", T0.AddSeconds(1)), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("m"), CancellationToken.None);
        await Store.AddSubjectAsync("s2", Subject("a"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("b"), CancellationToken.None);

        var rows = await ListAllSubjectsAsync();
        var all = rows.GroupBy(r => r.StreamId).ToDictionary(g => g.Key, g => g.Select(r => r.Subject).ToList());

        Assert.Equal(["s1", "s2"], all.Keys.Order());
        Assert.Equal(await Store.ListSubjectsAsync("s1", CancellationToken.None), all["s1"]);
        Assert.Equal(await Store.ListSubjectsAsync("s2", CancellationToken.None), all["s2"]);
        Assert.Equal(["z", "a"], all["s2"].Select(s => s.SubjectKey));
    }

    [Fact]
    public async Task ListAllSubjectsAsync_HandsOverTheRowsStreamByStream_AndStopsAtWhatTheCallerThrows()
    {
        foreach (var stream in new[] { "s1", "s2", "s3" })
        {
            await Store.CreateStreamAsync(Stream(stream), CancellationToken.None);
        }

        // Interleaved additions: the listing still gives each stream's rows together, oldest first.
        for (var i = 0; i < 30; i++)
        {
            await Store.AddSubjectAsync(i % 3 == 0 ? "s3" : i % 3 == 1 ? "s1" : "s2", Subject($"k{i}") with { Included = i % 4 != 0 }, CancellationToken.None);
        }

        var rows = await ListAllSubjectsAsync();

        Assert.Equal(30, rows.Count);
        Assert.Equal(3, rows.Select(r => r.StreamId).Distinct().Count());
        Assert.Equal(2, rows.Zip(rows.Skip(1)).Count(p => p.First.StreamId != p.Second.StreamId));
        foreach (var stream in new[] { "s1", "s2", "s3" })
        {
            Assert.Equal(await Store.ListSubjectsAsync(stream, CancellationToken.None), rows.Where(r => r.StreamId == stream).Select(r => r.Subject));
        }

        var handed = 0;
        var stopped = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.ListAllSubjectsAsync(
            (_, _) =>
            {
                if (++handed == 5)
                {
                    throw new InvalidOperationException("enough");
                }
            },
            CancellationToken.None));
        Assert.Equal("enough", stopped.Message);
        Assert.Equal(5, handed);
    }

    [Fact]
    public async Task AddSubjectAsync_ExistingKey_ReplacesItsRowWhichGoesLast()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k1") with { Verified = false }, CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k2"), CancellationToken.None);

        var other = new StreamSubject("k1", """{"format":"opaque","id":"other"}""", Verified: true, T0.AddHours(1));
        await Store.AddSubjectAsync("s1", other, CancellationToken.None);
        var afterVerify = await Store.ListSubjectsAsync("s1", CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k2", T0.AddHours(2)) with { Verified = false }, CancellationToken.None);
        var afterUnverify = await Store.ListSubjectsAsync("s1", CancellationToken.None);

        Assert.Equal([Subject("k2"), other], afterVerify);
        Assert.Equal([other, Subject("k2", T0.AddHours(2)) with { Verified = false }], afterUnverify);
    }

    [Fact]
    public async Task AddSubjectAsync_ExcludedSubject_IsKeptAsExcluded_AndTheLatestWordOnEachSubjectComesLast()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k1"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k2") with { Included = false }, CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k3"), CancellationToken.None);
        var first = await Store.ListSubjectsAsync("s1", CancellationToken.None);

        // k1 removed, then k2 removed again: each goes last.
        await Store.AddSubjectAsync("s1", Subject("k1", T0.AddHours(1)) with { Included = false, Verified = false }, CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("k2", T0.AddHours(2)) with { Included = false }, CancellationToken.None);
        var afterRemoval = await Store.ListSubjectsAsync("s1", CancellationToken.None);

        // k1 added back: last again, included.
        await Store.AddSubjectAsync("s1", Subject("k1", T0.AddHours(3)), CancellationToken.None);
        var afterReAdding = await Store.ListSubjectsAsync("s1", CancellationToken.None);

        Assert.Equal([Subject("k1"), Subject("k2") with { Included = false }, Subject("k3")], first);
        Assert.Equal([Subject("k3"), Subject("k1", T0.AddHours(1)) with { Included = false, Verified = false }, Subject("k2", T0.AddHours(2)) with { Included = false }], afterRemoval);
        Assert.Equal([Subject("k3"), Subject("k2", T0.AddHours(2)) with { Included = false }, Subject("k1", T0.AddHours(3))], afterReAdding);
        Assert.Equal(afterReAdding, (await ListAllSubjectsAsync()).Where(r => r.StreamId == "s1").Select(r => r.Subject));

        await ReopenAsync();
        Assert.Equal(afterReAdding, await Store.ListSubjectsAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task AddSubjectAsync_UnknownStream_FailsAndStoresNothing()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddSubjectAsync("ghost", Subject("k1"), CancellationToken.None).AsTask());

        Assert.Empty(await Store.ListSubjectsAsync("ghost", CancellationToken.None));

        // Had the subject been kept, a stream created later under that id would inherit it.
        await Store.CreateStreamAsync(Stream("ghost"), CancellationToken.None);
        Assert.Empty(await Store.ListSubjectsAsync("ghost", CancellationToken.None));
    }

    [Fact]
    public async Task Reopen_KeepsStreamsAndSubjectsInOrder()
    {
        var stream = Stream("s1") with { StatusReason = "why", LastActivityAt = T0.AddDays(1) };
        await Store.CreateStreamAsync(stream, CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2", project: "p2", created: T0.AddSeconds(1)), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("z"), CancellationToken.None);
        await Store.AddSubjectAsync("s1", Subject("a") with { Verified = false }, CancellationToken.None);
        await Store.DeleteStreamAsync("s2", CancellationToken.None);

        await ReopenAsync();
        await Store.AddSubjectAsync("s1", Subject("m"), CancellationToken.None);

        Assert.Equal(stream, await Store.GetStreamAsync("s1", CancellationToken.None));
        Assert.Equal([stream], await Store.ListStreamsAsync(null, null, CancellationToken.None));
        Assert.Equal(
            [Subject("z"), Subject("a") with { Verified = false }, Subject("m")],
            await Store.ListSubjectsAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task CreateStreamWithinLimitAsync_ManyAtOnce_StoresOnlyUpToTheOwnersLimit()
    {
        await Store.CreateStreamAsync(Stream("other", owner: "c2"), CancellationToken.None);

        var created = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => Store.CreateStreamWithinLimitAsync(Stream($"s{i}"), 2, CancellationToken.None).AsTask())));
        var ownerless = await Store.CreateStreamWithinLimitAsync(Stream("admin", owner: null), 0, CancellationToken.None);
        var otherOwner = await Store.CreateStreamWithinLimitAsync(Stream("other-2", owner: "c2"), 2, CancellationToken.None);

        Assert.Equal(2, created.Count(c => c));
        Assert.Equal(2, (await Store.ListStreamsAsync(null, "c1", CancellationToken.None)).Count);
        Assert.True(ownerless);
        Assert.True(otherOwner);
        Assert.False(await Store.CreateStreamWithinLimitAsync(Stream("s9", owner: "c2"), 2, CancellationToken.None));
    }

    [Fact]
    public async Task AddSubjectWithinLimitAsync_AtTheLimit_OnlyReplacesWhatIsRecorded()
    {
        await Store.CreateStreamAsync(Stream("s1"), CancellationToken.None);
        await Store.CreateStreamAsync(Stream("s2"), CancellationToken.None);
        await Store.AddSubjectAsync("s2", Subject("elsewhere"), CancellationToken.None);

        var added = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(key =>
            Task.Run(() => Store.AddSubjectWithinLimitAsync("s1", Subject(key), 2, CancellationToken.None).AsTask())));
        var recorded = await Store.ListSubjectsAsync("s1", CancellationToken.None);
        var replaced = await Store.AddSubjectWithinLimitAsync("s1", Subject(recorded[0].SubjectKey, T0.AddHours(1)) with { Included = false }, 2, CancellationToken.None);
        var removedNew = await Store.AddSubjectWithinLimitAsync("s1", Subject("e") with { Included = false }, 2, CancellationToken.None);

        Assert.Equal(2, added.Count(a => a));
        Assert.True(replaced);
        Assert.False(removedNew);
        Assert.Equal(
            [recorded[1], Subject(recorded[0].SubjectKey, T0.AddHours(1)) with { Included = false }],
            await Store.ListSubjectsAsync("s1", CancellationToken.None));
    }

    protected static StreamRecord Stream(string id, string project = "p1", string? owner = "c1", DateTimeOffset? created = null) =>
        new(id, project, owner, "outbound", "enabled", """{"delivery":{"method":"urn:ietf:rfc:8936"}}""", created ?? T0, (created ?? T0).AddMinutes(1));

    protected static StreamSubject Subject(string key, DateTimeOffset? addedAt = null) =>
        new(key, $$"""{"format":"email","email":"{{key}}@example.com"}""", Verified: true, addedAt ?? T0);

    private static NewEvent Event(string jti) => new("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", T0);

    /// <summary>Every row <see cref="IStreamStore.ListAllSubjectsAsync"/> hands over, in its order.</summary>
    private async Task<List<(string StreamId, StreamSubject Subject)>> ListAllSubjectsAsync()
    {
        var rows = new List<(string StreamId, StreamSubject Subject)>();
        await Store.ListAllSubjectsAsync((streamId, subject) => rows.Add((streamId, subject)), CancellationToken.None);
        return rows;
    }
}
