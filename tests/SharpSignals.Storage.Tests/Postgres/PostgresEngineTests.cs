using Npgsql;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Postgres;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Storage.Tests.Postgres;

/// <summary>What is particular to PostgreSQL: query plans, group commit, savepoints, migrations by several nodes, health.</summary>
public sealed class PostgresEngineTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    private readonly PostgresTestDatabase _database = new();
    private PostgresStore _store = null!;

    public Task InitializeAsync()
    {
        _store = _database.Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task ReadPendingQuery_IsAnIndexScanOfTheStreamIndexWithNoSort(int batchSize)
    {
        // A shape like production's, made in SQL because only the plan is under test: many streams,
        // each with a small share of the entries, half of them delivered.
        await ExecuteAsync("""
            INSERT INTO events (jti, issuer, project, event_types, token, received_at)
            SELECT 'e' || i, 'https://tx.example', 'p1', '{urn:a}', 'token', now() FROM generate_series(1, 20000) AS i;
            INSERT INTO deliveries (stream_id, event_position, jti, state, created_at)
            SELECT 's' || (position % 200), position, 'e' || position, CASE WHEN position > 10000 THEN 0 ELSE 1 END, now() FROM events
            """);

        var plan = await PlanAsync(PostgresStore.ReadByStateSql, p =>
        {
            p.AddWithValue("stream", "s1");
            p.AddWithValue("state", (short)0);
            p.AddWithValue("max", batchSize);
        });

        Assert.True(plan.Contains("Index Scan using ix_deliveries_stream_state_id on deliveries", StringComparison.Ordinal), plan);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData(DeliveryState.DeadLetter, false)]
    public async Task StreamEntriesQuery_ReadsARangeOfTheStreamIndexPerState(DeliveryState? state, bool newer)
    {
        await ExecuteAsync("""
            INSERT INTO events (jti, issuer, project, event_types, token, received_at)
            SELECT 'e' || i, 'https://tx.example', 'p1', '{urn:a}', 'token', now() FROM generate_series(1, 20000) AS i;
            INSERT INTO deliveries (stream_id, event_position, jti, state, created_at)
            SELECT 's' || (position % 200), position, 'e' || position, position % 3, now() FROM events
            """);

        var plan = await PlanAsync(StreamEntriesSql.Build(state, newer, '@', "d.attempt_log::text"), p =>
        {
            p.AddWithValue("stream", "s1");
            p.AddWithValue("before", long.MaxValue);
            p.AddWithValue("after", 0L);
            p.AddWithValue("max", 50);
        });

        // One index range per state, each in the order asked for; only the page's rows are sorted.
        Assert.True(
            plan.Split('\n').Count(l => l.Contains("using ix_deliveries_stream_state_id", StringComparison.Ordinal)) == (state is null ? 3 : 1),
            plan);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PostgresStore.ListStreamsByProjectSql, "ix_streams_project_created")]
    [InlineData(PostgresStore.ListStreamsByOwnerSql, "ix_streams_owner_created")]
    public async Task ListStreamsQueries_AreIndexScansOfTheirIndexWithNoSort(string sql, string index)
    {
        for (var i = 0; i < 200; i++)
        {
            var stream = new StreamRecord($"s{i}", $"p{i % 5}", i % 3 == 0 ? null : $"c{i % 7}", "outbound", "enabled", "{}", T0.AddSeconds(-i), T0);
            await _store.CreateStreamAsync(stream, CancellationToken.None);
        }

        var plan = await PlanAsync(sql, p =>
        {
            p.AddWithValue("project", "p1");
            p.AddWithValue("owner", "c1");
        });

        Assert.Contains($"Index Scan using {index} on streams", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSubjectsQuery_IsAnIndexScanInTheOrderAdded()
    {
        var plan = await PlanAsync(PostgresStore.ListSubjectsSql, p => p.AddWithValue("stream", "s1"));

        Assert.Contains("Index Scan using ix_stream_subjects_stream_seq on stream_subjects", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteExpiredAccessTokensQuery_UsesTheExpiryIndex()
    {
        var plan = await PlanAsync(PostgresStore.DeleteExpiredAccessTokensSql, p => p.AddWithValue("now", DateTime.UnixEpoch));

        Assert.Contains("ix_access_tokens_expires_at", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentRequests_ShareCommits()
    {
        var commitsBefore = _store.Commits;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => _store.AppendAsync(Event($"g{i}"), [new NewDelivery("s1", $"g{i}")], CancellationToken.None).AsTask()));

        var commits = _store.Commits - commitsBefore;
        Assert.InRange(commits, 1, 8);
        Assert.Equal(64, await _store.CountPendingAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_OneFailingWriteInABatch_LeavesTheOthersCommitted()
    {
        var ok1 = _store.AppendAsync(Event("ok1"), [new NewDelivery("s1", "ok1")], CancellationToken.None).AsTask();
        var bad = _store.AppendAsync(Event("bad"), [new NewDelivery("s1", "same"), new NewDelivery("s1", "same")], CancellationToken.None).AsTask();
        var ok2 = _store.AppendAsync(Event("ok2"), [new NewDelivery("s1", "ok2")], CancellationToken.None).AsTask();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => bad);
        await Task.WhenAll(ok1, ok2);

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Null(await _store.FindAsync("p1", "https://tx.example", "bad", CancellationToken.None));
        Assert.Equal(["ok1", "ok2"], (await _store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
    }

    [Fact]
    public async Task AppendAsync_AFailingWriteAlone_IsRolledBackAndTheWriterGoesOn()
    {
        await Assert.ThrowsAsync<PostgresException>(() =>
            _store.AppendAsync(Event("bad"), [new NewDelivery("s1", "same"), new NewDelivery("s1", "same")], CancellationToken.None).AsTask());

        var next = await _store.AppendAsync(Event("ok"), [new NewDelivery("s1", "ok")], CancellationToken.None);

        Assert.False(next.IsDuplicate);
        Assert.Null(await _store.FindAsync("p1", "https://tx.example", "bad", CancellationToken.None));
        Assert.Equal(["ok"], (await _store.ReadPendingAsync("s1", 10, CancellationToken.None)).Select(e => e.Jti));
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
    public async Task AppendAsync_SameEventOnTwoNodesAtOnce_IsStoredOnceAndBothGetItsPosition()
    {
        await using var other = _database.Open();

        var results = await Task.WhenAll(
            _store.AppendAsync(Event("e1"), [new NewDelivery("s1", "e1")], CancellationToken.None).AsTask(),
            other.AppendAsync(Event("e1"), [new NewDelivery("s1", "e1")], CancellationToken.None).AsTask());

        Assert.Single(results, r => !r.IsDuplicate);
        Assert.Single(results.Select(r => r.Position).Distinct());
        Assert.Equal(1, await _store.CountPendingAsync("s1", CancellationToken.None));
    }

    [Fact]
    public async Task Open_SeveralNodesAtOnceOnAFreshDatabase_MigrateItOnce()
    {
        var fresh = PostgresTestServer.Instance.CreateDatabase();
        try
        {
            var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                Task.Run(() => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = fresh }))));
            foreach (var store in stores)
            {
                Assert.True(await store.IsHealthyAsync(CancellationToken.None));
                await store.DisposeAsync();
            }

            await using var connection = new NpgsqlConnection(fresh);
            await connection.OpenAsync();
            await using var versions = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations", connection);
            await using var reader = await versions.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(PostgresMigrator.Scripts.Count, reader.GetInt64(0));
            Assert.Equal(PostgresMigrator.Scripts.Count, reader.GetInt64(1));
        }
        finally
        {
            PostgresTestServer.Instance.DropDatabase(fresh);
        }
    }

    [Fact]
    public async Task Migration0009_KeepsTheEventsStoredBefore_AndMakesJtisUniquePerProject()
    {
        await _store.AppendAsync(Event("e1"), [new NewDelivery("s1", "e1")], CancellationToken.None);
        await _store.DisposeAsync();

        // The database as it was before 0009: unique (jti, issuer) in every project.
        await ExecuteAsync("""
            DROP INDEX ux_events_jti_issuer_project;
            CREATE UNIQUE INDEX ux_events_jti_issuer ON events (jti, issuer);
            DELETE FROM schema_migrations WHERE version = 9
            """);
        _store = _database.Open();

        Assert.Equal("token-e1", (await _store.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None))?.Token);
        Assert.Equal(1, await _store.CountPendingAsync("s1", CancellationToken.None));
        Assert.True((await _store.AppendAsync(Event("e1"), [], CancellationToken.None)).IsDuplicate);
        Assert.False((await _store.AppendAsync(Event("e1") with { Project = "p2" }, [], CancellationToken.None)).IsDuplicate);
    }

    [Fact]
    public async Task SigningKeys_ASecondActiveRow_IsRefusedByTheDatabaseItself()
    {
        await ExecuteAsync("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at) VALUES ('k1', 'ES256', 'x', now())");

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at) VALUES ('k2', 'ES256', 'x', now())"));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        await ExecuteAsync("INSERT INTO signing_keys (kid, algorithm, protected_private_key, created_at, retired_at) VALUES ('k0', 'ES256', 'x', now(), now())");
        Assert.Equal(2, (await _store.ListSigningKeysAsync("", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Times_AreKeptToTheMillisecondAsOnSqlite()
    {
        var precise = T0.AddTicks(1_234_567).ToOffset(TimeSpan.FromHours(2));
        await _store.AppendAsync(Event("e1") with { ReceivedAt = precise }, [], CancellationToken.None);

        var stored = await _store.FindAsync("p1", "https://tx.example", "e1", CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(precise.ToUnixTimeMilliseconds()), stored!.ReceivedAt);
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
    public async Task IsHealthyAsync_DatabaseGone_IsFalse()
    {
        var healthyBefore = await _store.IsHealthyAsync(CancellationToken.None);

        // Dropping it closes the store's open connections too, as losing the server would.
        PostgresTestServer.Instance.DropDatabase(_database.ConnectionString);

        Assert.True(healthyBefore);
        Assert.False(await _store.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Migration0008_SubjectsStoredBeforeIt_StayIncluded()
    {
        await _store.CreateStreamAsync(new StreamRecord("s1", "p1", "c1", "outbound", "enabled", "{}", T0, T0), CancellationToken.None);
        await _store.DisposeAsync();

        // The database as the release before left it: a subject without the column, the script not applied.
        await ExecuteAsync("ALTER TABLE stream_subjects DROP COLUMN included");
        await ExecuteAsync("DELETE FROM schema_migrations WHERE version = 8");
        await ExecuteAsync("""INSERT INTO stream_subjects (stream_id, subject_key, subject, verified, added_at) VALUES ('s1', 'k1', '{"format":"opaque","id":"k1"}', true, now())""");
        _store = _database.Open();

        var subject = Assert.Single(await _store.ListSubjectsAsync("s1", CancellationToken.None));
        Assert.Equal("k1", subject.SubjectKey);
        Assert.True(subject.Included);
    }

    private static NewEvent Event(string jti) => new("https://tx.example", jti, "p1", ["urn:a"], $"token-{jti}", T0);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The plan PostgreSQL would use for the query. PostgreSQL chooses by cost, and at test sizes a
    /// sequential or bitmap scan followed by a sort of a few hundred rows is rightly cheaper than
    /// walking an index, so those two are switched off: of the paths left, a plan without a Sort
    /// shows an index that returns the rows in ORDER BY order, and the planner still picks the
    /// cheapest such index (a primary-key scan with a filter would be one too).
    /// </summary>
    private async Task<string> PlanAsync(string sql, Action<NpgsqlParameterCollection> bind)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using (var setup = new NpgsqlCommand("ANALYZE; SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
