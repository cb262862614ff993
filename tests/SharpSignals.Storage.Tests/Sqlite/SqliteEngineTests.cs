using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Tests.Sqlite;

/// <summary>What is particular to SQLite: WAL, query plans, group commit, savepoints, health.</summary>
public sealed class SqliteEngineTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    private readonly SqliteTestDatabase _database = new();
    private SqliteStore _store = null!;

    public Task InitializeAsync()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = _database.Path });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Open_Database_IsInWalMode()
    {
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task ReadPendingQuery_IsARangeScanOfTheStreamIndexWithNoSort(int batchSize)
    {
        // Enough rows across streams and states that the planner has a real choice to make.
        for (var i = 0; i < 300; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery($"s{i % 7}", $"e{i}")], CancellationToken.None);
        }

        Execute("ANALYZE");

        var plan = Plan(SqliteStore.ReadByStateSql, ("$stream", "s1"), ("$state", 0), ("$max", batchSize));

        Assert.Contains("USING INDEX ix_deliveries_stream_state_id (stream_id=? AND state=?)", plan, StringComparison.Ordinal);
        Assert.Contains("USING INTEGER PRIMARY KEY (rowid=?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLettersPageQueries_ReadDeadLettersOnly_NeverEveryEntry()
    {
        // Mostly delivered entries with a few dead letters among them, as on a working server.
        for (var i = 0; i < 300; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery($"s{i % 7}", $"e{i}")], CancellationToken.None);
        }

        await _store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", null)], T0, CancellationToken.None);
        Execute("ANALYZE");

        var every = Plan(SqliteStore.DeadLettersPageSql, ("$before", long.MaxValue), ("$max", 50));
        var some = Plan(SqliteStore.DeadLettersPageOfStreamsSql, ("$before", long.MaxValue), ("$max", 50), ("$streams", "[\"s1\",\"s2\"]"));

        // "SCAN d" alone would be a walk of the whole deliveries table.
        Assert.Contains("USING INDEX ix_deliveries_dead_letters", every, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", every, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN d", every.Replace("SCAN d USING INDEX ix_deliveries_dead_letters", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("USING INDEX ix_deliveries_", some, StringComparison.Ordinal);
        Assert.DoesNotContain(some.Split('\n'), line => line.TrimEnd() == "SCAN d");
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData(DeliveryState.DeadLetter, false)]
    public async Task StreamEntriesQuery_ReadsARangeOfTheStreamIndexPerState_AndNoOtherRows(DeliveryState? state, bool newer)
    {
        for (var i = 0; i < 300; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery($"s{i % 7}", $"e{i}")], CancellationToken.None);
        }

        Execute("ANALYZE");

        var plan = Plan(StreamEntriesSql.Build(state, newer, '$', "d.attempt_log"), ("$stream", "s1"), ("$before", long.MaxValue), ("$after", 0L), ("$max", 50));

        // Each state's range is a search of the index, ending in the order asked for; the page's at
        // most three times max rows are then sorted and looked up by id: never a scan of the stream.
        Assert.Equal(state is null ? 3 : 1, plan.Split('\n').Count(l => l.Contains("USING COVERING INDEX ix_deliveries_stream_state_id (stream_id=? AND state=? AND id>? AND id<?)", StringComparison.Ordinal)));
        Assert.Contains("USING INTEGER PRIMARY KEY (rowid=?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN deliveries", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN d ", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task AcknowledgeStatement_FindsEachJtiThroughTheJtiIndex(bool analyzed, bool pushed)
    {
        // A backlog of one stream. The server never runs ANALYZE, and without statistics the planner
        // would walk the whole backlog through (stream_id, state) for every acknowledgement.
        for (var i = 0; i < 300; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery("s1", $"e{i}")], CancellationToken.None);
        }

        if (analyzed)
        {
            Execute("ANALYZE");
        }

        // The poll acknowledgement names jtis; a push's names [jti, attempt] pairs, each attempt kept with its entry.
        var plan = pushed
            ? Plan(SqliteStore.AcknowledgePushedSql, ("$at", 0), ("$delivered", """[["e1",{"at":0}],["e2",{"at":0}]]"""), ("$stream", "s1"), ("$kept", 10))
            : Plan(SqliteStore.AcknowledgeSql, ("$at", 0), ("$jtis", "[\"e1\",\"e2\"]"), ("$stream", "s1"), ("$attempt", """{"at":0}"""), ("$kept", 10));

        Assert.Contains("USING INDEX ux_deliveries_jti_stream (jti=? AND stream_id=?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("ix_deliveries_stream_state_id", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentRequests_ShareCommits()
    {
        var commitsBefore = _store.Commits;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => _store.AppendAsync(Event($"g{i}"), [new NewDelivery("s1", $"g{i}")], CancellationToken.None).AsTask()));

        var commits = _store.Commits - commitsBefore;
        Assert.InRange(commits, 1, 8);
    }

    [Fact]
    public async Task AppendAsync_LoneWrite_DoesNotWaitForTheCommitDelay()
    {
        using var database = new SqliteTestDatabase();
        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database.Path, CommitDelay = TimeSpan.FromMinutes(5) });

        // The delay only holds a batch that already has company; one write alone commits at once.
        await store.AppendAsync(Event("alone"), [new NewDelivery("s1", "alone")], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, store.Commits);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentRequestsWithoutCommitDelay_StillShareCommits()
    {
        using var database = new SqliteTestDatabase();
        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database.Path, CommitDelay = TimeSpan.Zero });

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.AppendAsync(Event($"g{i}"), [new NewDelivery("s1", $"g{i}")], CancellationToken.None).AsTask()));

        Assert.InRange(store.Commits, 1, 8);
        Assert.Equal(64, store.Writes);
    }

    [Fact]
    public async Task AppendAsync_OneFailingWriteInABatch_LeavesTheOthersCommitted()
    {
        var ok1 = _store.AppendAsync(Event("ok1"), [new NewDelivery("s1", "ok1")], CancellationToken.None).AsTask();
        var bad = _store.AppendAsync(Event("bad"), [new NewDelivery("s1", "same"), new NewDelivery("s1", "same")], CancellationToken.None).AsTask();
        var ok2 = _store.AppendAsync(Event("ok2"), [new NewDelivery("s1", "ok2")], CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<SqliteException>(() => bad);
        await Task.WhenAll(ok1, ok2);

        Assert.Null(await _store.FindAsync("p1", "https://tx.example", "bad", CancellationToken.None));
        Assert.Equal(["ok1", "ok2"], (await _store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task AppendAsync_CancelledBeforeItIsWritten_WritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.AppendAsync(Event("x"), [], cancelled.Token).AsTask());

        Assert.Null(await _store.FindAsync("p1", "https://tx.example", "x", CancellationToken.None));
    }

    [Fact]
    public async Task Checkpoints_RunBesideTheWriter_AndKeepTheLogShort()
    {
        // Several logs' worth of pages: each event carries a SET-sized token and an entry.
        await AppendManyAsync(_store, "c", 2000);

        // The log started over instead of growing: about WriterPages pages of 4 KiB at most, where
        // 2,000 such events alone fill more than twice that.
        Assert.True(await BackgroundCheckpointSeenAsync(_store));
        Assert.InRange(new FileInfo(_database.Path + "-wal").Length / 4096, 1, 2 * SqliteCheckpointer.WriterPages);
        Assert.Equal("2000", Scalar("SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Checkpoints_WhenTheLogCannotBeCopied_TheWriterTriesAtWriterPages_AndTheLogStartsOverOnceItCan()
    {
        // A reader's open snapshot keeps every checkpoint from copying the pages it may still need.
        using (var reader = Connect())
        using (var snapshot = reader.BeginTransaction(deferred: true))
        {
            using var read = reader.CreateCommand();
            read.Transaction = snapshot;
            read.CommandText = "SELECT count(*) FROM events";
            read.ExecuteScalar();

            await AppendManyAsync(_store, "held", 2000);

            Assert.True(_store.Checkpointer.WriterCheckpoints > 0);
            Assert.True(LogPages() > SqliteCheckpointer.WriterPages);
        }

        // Released: the writer's next checkpoint copies all of it, and the write after it starts the log over.
        await AppendManyAsync(_store, "free", 200);

        Assert.InRange(LogPages(), 1, SqliteCheckpointer.WriterPages);
    }

    [Fact]
    public async Task Checkpoints_AfterTheStoreIsReopened_RunForTheNewStore()
    {
        // The old store's hook goes with its connection: one left behind on a reused connection
        // would call into a collected delegate and end the process.
        await AppendManyAsync(_store, "a", 500);
        await _store.DisposeAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _store = _database.Open();

        await AppendManyAsync(_store, "b", 1500);

        Assert.True(await BackgroundCheckpointSeenAsync(_store));
        Assert.Equal("2000", Scalar("SELECT count(*) FROM events"));
    }

    [Theory]
    [InlineData(SqliteStore.ListStreamsByProjectSql, "ix_streams_project_created (project=?)")]
    [InlineData(SqliteStore.ListStreamsByOwnerSql, "ix_streams_owner_created (owner_client_id=?)")]
    public async Task ListStreamsQueries_AreRangeScansOfTheirIndexWithNoSort(string sql, string index)
    {
        for (var i = 0; i < 200; i++)
        {
            var stream = new StreamRecord($"s{i}", $"p{i % 5}", i % 3 == 0 ? null : $"c{i % 7}", "outbound", "enabled", "{}", T0.AddSeconds(-i), T0);
            await _store.CreateStreamAsync(stream, CancellationToken.None);
        }

        Execute("ANALYZE");

        var plan = Plan(sql, ("$project", "p1"), ("$owner", "c1"));

        Assert.Contains("USING INDEX " + index, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SqliteStore.CountStreamsByOwnerSql, "SEARCH streams USING ", "ix_streams_owner_created (owner_client_id=?)")]
    [InlineData(SqliteStore.CountSubjectsSql, "SEARCH stream_subjects USING ", "(stream_id=?)")]
    public void QuotaCounts_SearchTheirIndexAndNeverScan(string sql, string search, string key)
    {
        // Counted on every stream creation and subject change, inside the writer's transaction.
        var plan = Plan(sql, ("$owner", "c1"), ("$stream", "s1"), ("$key", "k"));

        Assert.Contains(search, plan, StringComparison.Ordinal);
        Assert.Contains(key, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void DeleteExpiredAccessTokensQuery_IsARangeScanOfTheExpiryIndex()
    {
        var plan = Plan(SqliteStore.DeleteExpiredAccessTokensSql, ("$now", 0));

        Assert.Contains("INDEX ix_access_tokens_expires_at (expires_at<?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SqliteStore.EntriesWindowSql, "deliveries USING INTEGER PRIMARY KEY (rowid>?)")]
    [InlineData(SqliteStore.PurgeEntriesSql, "deliveries USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")]
    [InlineData(SqliteStore.EventsWindowSql, "events USING INTEGER PRIMARY KEY (rowid>?)")]
    [InlineData(SqliteStore.PurgeEventsSql, "events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")]
    [InlineData(SqliteStore.PurgeEventsSql, "deliveries USING COVERING INDEX ix_deliveries_event_position (event_position=?)")]
    [InlineData(SqliteStore.EventDeliveriesSql, "deliveries USING INDEX ix_deliveries_event_position (event_position=?)")]
    public async Task RetentionAndEventDeliveryQueries_SearchTheirKeysAndNeverScan(string sql, string search)
    {
        // Retention walks both tables a window at a time; a scan would make each step as slow as the
        // whole table (and, before ix_deliveries_event_position, every deleted event's foreign-key
        // check was one).
        for (var i = 0; i < 200; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery($"s{i % 3}", $"e{i}")], CancellationToken.None);
        }

        var plan = Plan(sql, ("$after", 0), ("$max", 100), ("$last", 100), ("$cutoff", 0), ("$event", 1));

        Assert.Contains("SEARCH " + search, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN deliveries", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN events", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "SEARCH events USING INTEGER PRIMARY KEY (rowid<?)")]
    [InlineData("since", "SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")]
    [InlineData("until alone", "SEARCH events USING INTEGER PRIMARY KEY (rowid<?)")]
    [InlineData("project until", "SEARCH events USING INDEX ix_events_project_position (project=? AND position<?)")]
    [InlineData("subject since", "SEARCH k USING PRIMARY KEY (subject=? AND event_position>? AND event_position<?)")]
    [InlineData("project", "SEARCH events USING INDEX ix_events_project_position (project=? AND position<?)")]
    [InlineData("txn", "SEARCH events USING INDEX ix_events_txn_position (txn=? AND position<?)")]
    [InlineData("source", "SEARCH events USING INDEX ix_events_source_position (source_stream_id=? AND position<?)")]
    [InlineData("subject", "SEARCH k USING PRIMARY KEY (subject=? AND event_position<?)")]
    [InlineData("type", "SEARCH k USING PRIMARY KEY (event_type=? AND event_position<?)")]
    [InlineData("until", "SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")]
    public async Task SearchEventsQuery_ReadsItsFiltersIndexBackwardsFromItsPage_WithNoSort(string? filter, string search)
    {
        // Enough rows that the planner has a real choice to make: a project, txn or subject that
        // matches little must not be found by reading the whole log backwards.
        for (var i = 0; i < 300; i++)
        {
            var appended = Event($"e{i}") with { Project = $"p{i % 5}", Txn = i % 10 == 0 ? $"t{i}" : null, SourceStreamId = i % 7 == 0 ? "in-1" : null, SubjectKeys = [$"u{i % 50}"] };
            await _store.AppendAsync(appended, [], CancellationToken.None);
        }

        Execute("ANALYZE");
        var query = filter switch
        {
            "project" => new EventQuery { Project = "p1" },
            "txn" => new EventQuery { Txn = "t10" },
            "source" => new EventQuery { SourceStreamId = "in-1" },
            "subject" => new EventQuery { Subject = "u3", Project = "p3" },
            "type" => new EventQuery { EventType = "urn:a", Project = "p3" },
            "until" => new EventQuery { Since = T0.AddDays(-1), Until = T0 },
            "since" => new EventQuery { Since = T0 },
            "until alone" => new EventQuery { Until = T0 },
            "project until" => new EventQuery { Project = "p1", Until = T0 },
            "subject since" => new EventQuery { Subject = "u3", Since = T0 },
            _ => new EventQuery(),
        };
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteStore.SearchEventsSql(query);
        SqliteStore.BindSearch(command.Parameters, query);
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        var text = string.Join(" | ", plan);
        Assert.True(text.Contains(search, StringComparison.Ordinal), text);
        Assert.DoesNotContain("SCAN", text, StringComparison.Ordinal);

        // Nothing sorts; a time filter is one seek in the index of times for each bound of the positions walked.
        Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
        var timeBounds = (filter ?? "").Split(' ').Count(f => f is "since" or "until") + (filter == "until" ? 1 : 0);
        Assert.Equal(timeBounds, plan.Count(line => line.Contains("COVERING INDEX ix_events_received_at", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task BacklogsQuery_ProbesEachStreamsIndexes_AndReadsNoEntryForItsLastError()
    {
        for (var i = 0; i < 300; i++)
        {
            await _store.AppendAsync(Event($"e{i}"), [new NewDelivery($"s{i % 7}", $"e{i}")], CancellationToken.None);
        }

        await _store.DeadLetterAsync("s1", [new DeliveryFailure("e1", "invalid_request", null), new DeliveryFailure("e8", "invalid_key", null)], T0, CancellationToken.None);
        Execute("ANALYZE");

        var plan = Plan(SqliteStore.BacklogsSql, ("$streams", "[\"s1\",\"s2\"]"));

        Assert.Contains("USING COVERING INDEX ix_deliveries_stream_state_id (stream_id=? AND state=?)", plan, StringComparison.Ordinal);
        Assert.Contains("USING INDEX ix_deliveries_stream_last_error (stream_id=?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("SCAN deliveries", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migration0014_IndexesTheTypesOfTheEventsStoredBefore()
    {
        await _store.AppendAsync(Event("e1") with { EventTypes = ["urn:a", "urn:b"] }, [], CancellationToken.None);
        await _store.AppendAsync(Event("e2") with { EventTypes = ["urn:b"] }, [], CancellationToken.None);
        await _store.DisposeAsync();

        // The database as it was before 0014.
        Execute("""
            DROP TABLE event_subjects;
            DROP TABLE event_type_index;
            DROP INDEX ix_events_project_position;
            DROP INDEX ix_events_txn_position;
            DROP INDEX ix_events_source_position;
            DROP INDEX ix_events_received_at;
            DROP INDEX ix_deliveries_stream_last_error;
            DELETE FROM schema_migrations WHERE version = 14
            """);
        _store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = _database.Path });

        async Task<string[]> OfTypeAsync(string type) => [.. (await _store.SearchAsync(new EventQuery { EventType = type }, CancellationToken.None)).Select(e => e.Jti)];
        Assert.Equal(["e1"], await OfTypeAsync("urn:a"));
        Assert.Equal(["e2", "e1"], await OfTypeAsync("urn:b"));
        Assert.Equal("3", Scalar("SELECT count(*) FROM event_type_index"));
    }

    [Fact]
    public async Task Migration0008_KeepsTheEventsStoredBefore_AndMakesJtisUniquePerProject()
    {
        await _store.AppendAsync(Event("e1"), [new NewDelivery("s1", "e1")], CancellationToken.None);
        await _store.DisposeAsync();

        // The database as it was before 0008: unique (jti, issuer) in every project.
        Execute("""
            DROP INDEX ux_events_jti_issuer_project;
            CREATE UNIQUE INDEX ux_events_jti_issuer ON events (jti, issuer);
            DELETE FROM schema_migrations WHERE version = 8
            """);
        _store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = _database.Path });

        Assert.Equal("token-e1", (await _store.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None))?.Token);
        Assert.Equal(1, await _store.CountPendingAsync("s1", CancellationToken.None));
        Assert.True((await _store.AppendAsync(Event("e1"), [], CancellationToken.None)).IsDuplicate);
        Assert.False((await _store.AppendAsync(Event("e1") with { Project = "p2" }, [], CancellationToken.None)).IsDuplicate);
        Assert.Null(Scalar("SELECT name FROM sqlite_master WHERE name = 'ux_events_jti_issuer'"));
    }

    [Fact]
    public void SigningKeys_ASecondActiveRow_IsRefusedByTheDatabaseItself()
    {
        Execute("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at) VALUES ('k1', 'ES256', 'x', 0)");

        var refused = Assert.Throws<SqliteException>(() =>
            Execute("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at) VALUES ('k2', 'ES256', 'x', 1)"));

        Assert.Contains("UNIQUE", refused.Message, StringComparison.Ordinal);
        Execute("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at, retired_at) VALUES ('k0', 'ES256', 'x', 0, 1)");
        Assert.Equal("2", Scalar("SELECT count(*) FROM signing_keys"));
    }

    [Fact]
    public async Task IsHealthyAsync_AfterDispose_IsFalse()
    {
        var healthyBefore = await _store.IsHealthyAsync(CancellationToken.None);

        await _store.DisposeAsync();

        Assert.True(healthyBefore);
        Assert.False(await _store.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task IsHealthyAsync_DatabaseDirectoryReplacedByAFile_IsFalse()
    {
        var directory = System.IO.Path.GetDirectoryName(_database.Path)!;
        var healthyBefore = await _store.IsHealthyAsync(CancellationToken.None);
        try
        {
            // Unlinking works on open files, and a file where the directory was makes every open of
            // the database path fail (ENOTDIR), for root as well. Pooled idle read connections
            // still hold the old file, so they are closed.
            Directory.Delete(directory, recursive: true);
            await File.WriteAllTextAsync(directory, "not a directory");
            SqliteConnection.ClearAllPools();

            Assert.True(healthyBefore);
            Assert.False(await _store.IsHealthyAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(directory);
        }
    }

    [Fact]
    public async Task Migration0007_SubjectsStoredBeforeIt_StayIncluded()
    {
        await _store.CreateStreamAsync(new StreamRecord("s1", "p1", "c1", "outbound", "enabled", "{}", T0, T0), CancellationToken.None);
        await _store.DisposeAsync();

        // The database as the release before left it: a subject without the column, the script not applied.
        Execute("ALTER TABLE stream_subjects DROP COLUMN included");
        Execute("DELETE FROM schema_migrations WHERE version = 7");
        Execute("""INSERT INTO stream_subjects (stream_id, subject_key, subject, verified, added_at) VALUES ('s1', 'k1', '{"format":"opaque","id":"k1"}', 1, 0)""");
        _store = _database.Open();

        var subject = Assert.Single(await _store.ListSubjectsAsync("s1", CancellationToken.None));
        Assert.Equal("k1", subject.SubjectKey);
        Assert.True(subject.Included);
    }

    private static NewEvent Event(string jti) => new("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", T0);

    /// <summary>Appends <paramref name="count"/> events with SET-sized tokens, 50 at a time, as concurrent requests would.</summary>
    private static async Task AppendManyAsync(SqliteStore store, string prefix, int count)
    {
        var token = new string('t', 800);
        for (var first = 0; first < count; first += 50)
        {
            await Task.WhenAll(Enumerable.Range(first, Math.Min(50, count - first)).Select(i =>
                store.AppendAsync(Event($"{prefix}{i}") with { Token = token }, [new NewDelivery("s1", $"{prefix}{i}", token)], CancellationToken.None).AsTask()));
        }
    }

    private string? Scalar(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }

    /// <summary>Whether the store's background thread has checkpointed within 30 s: it is woken each BackgroundPages and runs in its own time.</summary>
    private static async Task<bool> BackgroundCheckpointSeenAsync(SqliteStore store)
    {
        await Eventually.TrueAsync(() => store.Checkpointer.BackgroundCheckpoints > 0, "a background checkpoint");
        return store.Checkpointer.BackgroundCheckpoints > 0;
    }

    /// <summary>The pages in the log now, as a passive checkpoint reports them.</summary>
    private int LogPages()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";

        // -1 when the checkpoint could not run: the store's background checkpointer was running one
        // at that moment. That says nothing of the log's size, so ask again once it is done.
        for (var attempt = 0; ; attempt++)
        {
            using var reader = command.ExecuteReader();
            reader.Read();
            var pages = reader.GetInt32(1);
            if (pages >= 0 || attempt == 100)
            {
                return pages;
            }

            Thread.Sleep(10);
        }
    }

    private void Execute(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private string Plan(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join('\n', lines);
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={_database.Path}");
        connection.Open();
        return connection;
    }
}
