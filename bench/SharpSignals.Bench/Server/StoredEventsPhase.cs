using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The embedded store as it fills (issue 23 §2, "stored events"): publish rate, <c>GET /events/{jti}</c>
/// and each form of the event search with <c>--stored-sizes</c> events already stored (0, 1,000,000 and
/// 10,000,000), each held against the same figure on the empty store in the same run (goal: within
/// <see cref="Bound"/>×). Each size has a data directory of its own under <c>--stored-seed-dir</c>, kept
/// between runs: a first server makes the database and a few streams per project through its API, then
/// the events are written straight into its tables in big unsynchronised transactions (the indexes
/// dropped while they go in and built again after: random jtis into a B-tree at 10 million rows take
/// far longer one by one), since a store's API appends at the speed of durable commits. Then a server
/// starts on the directory and is measured; retention is set to ten years there so the seed does not age out.
/// </summary>
internal static class StoredEventsPhase
{
    /// <summary>The issue's bound: each figure at any size within this factor of the empty store's.</summary>
    public const double Bound = 1.5;

    private const string SeededMarker = "seeded.txt";
    private const int Projects = 10;
    private const int StreamsPerProject = 2;
    private const int Users = 1_000_000;
    private const int EventsPerTransaction = 100_000;
    private const int JtiSamples = 300;
    private const int WarmUpRequests = 5;
    private const string LocalIssuer = "https://sharpsignals.bench.example";
    private const string UpstreamIssuer = "https://idp.bench.example";

    // The SET's header and signature never change: no read measured here verifies a stored token.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"ES256","typ":"secevent+jwt","kid":"bench"}"""u8);
    private static readonly string Signature = new('A', 86);

    public static async Task<StoredEventsResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var output = Console.Out;
        var root = Path.GetFullPath(options.StoredSeedDir ?? Path.Combine(temp, "stored"));
        var runs = new List<StoredRun>();
        foreach (var size in options.StoredSizes)
        {
            var name = Invariant($"events-{size}");
            output.WriteLine(Invariant($"stored events: {size:N0} ..."));
            var seedTime = await EnsureSeededAsync(root, name, size, details, output);
            var run = await MeasureAsync(options, root, name, size, details, output);
            run.SeedTime = seedTime;
            runs.Add(run);
        }

        Write(output, runs);
        return new StoredEventsResult(runs);
    }

    /// <summary>The seeded directory, reused when a complete one is there; how long seeding took (zero when reused).</summary>
    private static async Task<TimeSpan> EnsureSeededAsync(string root, string name, int size, List<string> details, TextWriter output)
    {
        var directory = Path.Combine(root, name);
        var database = Path.Combine(directory, "sharpsignals.db");
        if (File.Exists(Path.Combine(directory, SeededMarker)))
        {
            // A newer server's migrations may have work to do on millions of events: done here, not in the server's start-up wait.
            var migrating = Stopwatch.StartNew();
            await using (SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database }))
            {
            }

            details.Add(Invariant($"stored events: {size:N0} events seeded before in {directory} reused; migrations applied in {migrating.Elapsed.TotalSeconds:F1} s"));
            output.WriteLine($"  {details[^1]}");
            return TimeSpan.Zero;
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var seeding = Stopwatch.StartNew();
        var (server, adminToken) = await ServerProcess.StartAsync(root, name, SigningAlgorithms.ES256);
        var streams = new List<(string Project, string StreamId)>();
        await using (server)
        {
            using var admin = new HttpClient(SsfClient.NewHandler(), disposeHandler: true) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            for (var p = 0; p < Projects; p++)
            {
                for (var s = 0; s < StreamsPerProject; s++)
                {
                    var created = await SsfClient.ReadAsync(
                        await admin.PostAsJsonAsync("/ssf/streams", new { project = Project(p), events_requested = new[] { EventTypes.Caep.SessionRevoked, EventTypes.Caep.CredentialChange }, delivery = new { method = DeliveryMethods.Poll } }),
                        HttpStatusCode.Created);
                    streams.Add((Project(p), created.GetProperty("stream_id").GetString()!));
                }
            }
        }

        var counts = size > 0 ? SeedEvents(database, size, streams, output) : default;
        var bytes = DatabaseBytes(database);
        await File.WriteAllTextAsync(Path.Combine(directory, SeededMarker), Invariant($"{size} events, {counts.Entries} entries, {DateTimeOffset.UtcNow:O}\n"));
        details.Add(Invariant($"stored events: {size:N0} events with {counts.Entries:N0} delivered entries and {counts.SubjectKeys:N0} subject keys seeded in {seeding.Elapsed.TotalSeconds:F0} s (rows {counts.Rows.TotalSeconds:F0} s, indexes {counts.Indexes.TotalSeconds:F0} s); database {bytes / 1048576.0:N0} MB"));
        output.WriteLine($"  {details[^1]}");
        return seeding.Elapsed;
    }

    /// <summary>
    /// Event <c>i</c> of <paramref name="size"/>: received over the last six days in order; a project
    /// of <see cref="Projects"/>, the first taking three in ten; one in five from an upstream transmitter on an
    /// inbound stream of its project; a session revoked, one in ten a credential change, one in a
    /// thousand a token-claims change; every other with a txn; about one of <see cref="Users"/> users;
    /// delivered to one stream of its project, one in four to both; random jtis, as the server makes.
    /// </summary>
    private static SeedCounts SeedEvents(string database, int size, List<(string Project, string StreamId)> streams, TextWriter output)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        using (connection)
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF");

            // The secondary indexes of the tables filled, dropped and made again after: CREATE INDEX sorts once.
            var indexes = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'deliveries', 'event_subjects', 'event_type_index')";
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    indexes.Add(reader.GetString(1));
                    output.WriteLine($"  index {reader.GetString(0)} dropped for the seed");
                }
            }

            foreach (var sql in indexes)
            {
                Execute(connection, "DROP INDEX " + sql.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => !w.Equals("INDEX", StringComparison.OrdinalIgnoreCase)).Skip(1).First());
            }

            var random = new Random(23);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var first = now - (long)TimeSpan.FromDays(6).TotalMilliseconds;
            var step = (double)(now - first) / size;
            var attemptLog = "[" + AttemptLog.Write(new DeliveryAttempt(DateTimeOffset.FromUnixTimeMilliseconds(first), Status: 202, Duration: TimeSpan.FromMilliseconds(4))) + "]";
            var byProject = Enumerable.Range(0, Projects).Select(p => streams.Where(s => s.Project == Project(p)).Select(s => s.StreamId).ToArray()).ToArray();
            var jtiBytes = new byte[16];
            string NewJti()
            {
                random.NextBytes(jtiBytes);
                return Base64Url.EncodeToString(jtiBytes);
            }

            var insertEvent = Prepare(connection, "INSERT INTO events (jti, issuer, project, event_types, txn, source_stream_id, token, received_at) VALUES ($jti, $issuer, $project, $types, $txn, $source, $token, $at) RETURNING position", "$jti", "$issuer", "$project", "$types", "$txn", "$source", "$token", "$at");
            var insertEntry = Prepare(connection, "INSERT INTO deliveries (stream_id, event_position, jti, token, state, attempts, created_at, completed_at, attempt_log) VALUES ($stream, $event, $jti, $token, 1, 1, $at, $done, $log)", "$stream", "$event", "$jti", "$token", "$at", "$done", "$log");
            var insertSubject = Prepare(connection, "INSERT OR IGNORE INTO event_subjects (subject, event_position) VALUES ($subject, $event)", "$subject", "$event");
            var insertType = Prepare(connection, "INSERT OR IGNORE INTO event_type_index (event_type, event_position) VALUES ($type, $event)", "$type", "$event");
            insertEntry.Parameters["$log"].Value = attemptLog;

            var rows = Stopwatch.StartNew();
            long entries = 0, subjectKeys = 0;
            SqliteTransaction? transaction = null;
            for (var i = 0; i < size; i++)
            {
                if (i % EventsPerTransaction == 0)
                {
                    transaction?.Commit();
                    transaction?.Dispose();
                    transaction = connection.BeginTransaction();
                    foreach (var command in new[] { insertEvent, insertEntry, insertSubject, insertType })
                    {
                        command.Transaction = transaction;
                    }

                    if (i > 0 && i % 1_000_000 == 0)
                    {
                        output.WriteLine(Invariant($"  {i:N0} events written, {i / rows.Elapsed.TotalSeconds:N0}/s"));
                    }
                }

                var project = random.Next(10) < 3 ? 0 : 1 + random.Next(Projects - 1);
                var upstream = random.Next(5) == 0;
                var type = i % 1000 == 7 ? EventTypes.Caep.TokenClaimsChange : i % 10 == 3 ? EventTypes.Caep.CredentialChange : EventTypes.Caep.SessionRevoked;
                var email = SetSource.SubjectEmail(random.Next(Users));
                var at = first + (long)(step * i);
                var jti = NewJti();
                var txn = i % 2 == 0 ? NewJti() : null;
                var issuer = upstream ? UpstreamIssuer : LocalIssuer;
                insertEvent.Parameters["$jti"].Value = jti;
                insertEvent.Parameters["$issuer"].Value = issuer;
                insertEvent.Parameters["$project"].Value = Project(project);
                insertEvent.Parameters["$types"].Value = type;
                insertEvent.Parameters["$txn"].Value = (object?)txn ?? DBNull.Value;
                insertEvent.Parameters["$source"].Value = upstream ? Invariant($"bench-inbound-{Project(project)}") : DBNull.Value;
                insertEvent.Parameters["$token"].Value = Token(issuer, jti, txn, email, type, at);
                insertEvent.Parameters["$at"].Value = at;
                var position = (long)insertEvent.ExecuteScalar()!;

                var ofProject = byProject[project];
                var one = random.Next(ofProject.Length);
                foreach (var s in random.Next(4) == 0 ? ofProject : [ofProject[one]])
                {
                    var entryJti = NewJti();
                    insertEntry.Parameters["$stream"].Value = s;
                    insertEntry.Parameters["$event"].Value = position;
                    insertEntry.Parameters["$jti"].Value = entryJti;
                    insertEntry.Parameters["$token"].Value = Token(LocalIssuer, entryJti, txn, email, type, at);
                    insertEntry.Parameters["$at"].Value = at;
                    insertEntry.Parameters["$done"].Value = at + 40;
                    insertEntry.ExecuteNonQuery();
                    entries++;
                }

                // The keys EventSubjects.KeysOf gives an email subject: the value, and format:value.
                foreach (var key in new[] { email, "email:" + email })
                {
                    insertSubject.Parameters["$subject"].Value = key;
                    insertSubject.Parameters["$event"].Value = position;
                    insertSubject.ExecuteNonQuery();
                    subjectKeys++;
                }

                insertType.Parameters["$type"].Value = type;
                insertType.Parameters["$event"].Value = position;
                insertType.ExecuteNonQuery();
            }

            transaction?.Commit();
            transaction?.Dispose();
            foreach (var command in new[] { insertEvent, insertEntry, insertSubject, insertType })
            {
                command.Dispose();
            }

            var rowTime = rows.Elapsed;
            output.WriteLine(Invariant($"  {size:N0} events written in {rowTime.TotalSeconds:F0} s; building {indexes.Count} indexes ..."));
            var indexing = Stopwatch.StartNew();
            foreach (var sql in indexes)
            {
                Execute(connection, sql);
            }

            // No ANALYZE: the server never runs it, so its planner works without statistics and so must the seeded store's.
            Execute(connection, "PRAGMA journal_mode = WAL");
            return new SeedCounts(entries, subjectKeys, rowTime, indexing.Elapsed);
        }
    }

    /// <summary>One server on the seeded directory: publish, then the reads, each one request at a time after warm-up reads.</summary>
    private static async Task<StoredRun> MeasureAsync(LoadOptions options, string root, string name, int size, List<string> details, TextWriter output)
    {
        var database = Path.Combine(root, name, "sharpsignals.db");
        var run = new StoredRun(size);
        var (server, adminToken) = await ServerProcess.StartAsync(root, name, SigningAlgorithms.ES256, ["--SharpSignals:Retention:Days=3650"]);
        await using (server)
        {
            using var ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);

            // Every published event also gets a delivery entry, as it would with a receiver subscribed.
            var pollStream = await ssf.CreateStreamAsync(pushUrl: null);
            var (publish, cpu) = await ClosedLoop.RunForWithServerCpuAsync(options.Publishers, ssf.PublishAsync, options.WarmUp, options.Window, server.ProcessId);
            run.PublishRate = publish.Rate;
            run.PublishCpuMicroseconds = cpu.ServerCores * 1e6 / publish.Rate;
            details.Add(Invariant($"stored events {size:N0}: publish {publish.Completed:N0} events in {publish.Elapsed.TotalSeconds:F1} s = {publish.Rate:N0}/s, p50 {publish.Percentile(0.5):F1} ms, p99 {publish.Percentile(0.99):F1} ms, {publish.Failed} failed{LoadCommand.Failure(publish)}; {cpu}, {cpu.ServerMicrosecondsPer(publish.Rate, "event")}"));
            output.WriteLine($"  {details[^1]}");
            await ssf.DeleteStreamAsync(pollStream);

            var sample = ReadSample(database);
            using var admin = new HttpClient(SsfClient.NewHandler(), disposeHandler: true) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            foreach (var (label, paths) in Reads(sample, options.StoredRequests))
            {
                var timing = await TimeAsync(admin, paths);
                run.Reads.Add(label, timing);
                output.WriteLine(Invariant($"  {label}: p50 {timing.P50:F2} ms, p99 {timing.P99:F2} ms{(timing.Failed > 0 ? $", {timing.Failed} not 200 (first: {timing.FirstFailure})" : "")}"));
            }
        }

        run.DatabaseBytes = DatabaseBytes(database);
        details.Add(Invariant($"stored events {size:N0}: database {run.DatabaseBytes / 1048576.0:N0} MB after the run; reads: {string.Join("; ", run.Reads.Select(r => $"{r.Key} p50 {r.Value.P50:F2} ms, p99 {r.Value.P99:F2} ms"))}"));
        return run;
    }

    /// <summary>
    /// The reads timed, each a list of paths read in turn: one event by jti (random old ones, random new
    /// ones), then each search form the console uses (docs/API.md, <c>GET /admin/events</c>). The type,
    /// subjects and project searched for are those of the events published in the run, so that the empty
    /// store answers full pages too; the rare type and source stream searches find nothing there (nothing
    /// of that type is published, nothing came in), so <see cref="Figures"/> holds them against the million.
    /// </summary>
    private static IEnumerable<(string Label, List<string> Paths)> Reads(Sample sample, int requests)
    {
        var random = new Random(5);
        List<string> Repeat(Func<string> path) => [.. Enumerable.Range(0, requests + WarmUpRequests).Select(_ => path())];
        yield return ("GET /events/{jti}, old", [.. sample.Old.Select(e => $"/events/{Uri.EscapeDataString(e.Jti)}?project={e.Project}")]);
        yield return ("GET /events/{jti}, new", [.. sample.New.Select(e => $"/events/{Uri.EscapeDataString(e.Jti)}?project={e.Project}")]);
        yield return ("search: none (newest)", Repeat(() => "/admin/events"));
        yield return ("search: by type", Repeat(() => $"/admin/events?event_type={Uri.EscapeDataString(EventTypes.Caep.SessionRevoked)}"));
        yield return ("search: by a rare type", Repeat(() => $"/admin/events?event_type={Uri.EscapeDataString(EventTypes.Caep.TokenClaimsChange)}"));
        yield return ("search: by subject", Repeat(() => $"/admin/events?subject={Uri.EscapeDataString($"email:{SetSource.SubjectEmail(random.Next(SetSource.Subjects))}")}"));
        yield return ("search: by project", Repeat(() => $"/admin/events?project={Project(0)}"));
        yield return ("search: by source stream", Repeat(() => $"/admin/events?source_stream_id=bench-inbound-{Project(random.Next(Projects))}"));
        yield return ("search: one hour, mid-log", Repeat(() => $"/admin/events?since={sample.MiddleSeconds}&until={sample.MiddleSeconds + 3600}"));
        yield return ("search: until mid-log alone", Repeat(() => $"/admin/events?until={sample.MiddleSeconds}"));
    }

    private static async Task<ReadTiming> TimeAsync(HttpClient client, List<string> paths)
    {
        var latencies = new List<double>(paths.Count);
        var failed = 0;
        var rows = 0;
        string? firstFailure = null;
        for (var n = 0; n < paths.Count; n++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(new Uri(paths[n], UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            rows = Math.Max(rows, response.StatusCode == HttpStatusCode.OK ? RowsIn(body) : 0);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failed++;
                firstFailure ??= Invariant($"HTTP {(int)response.StatusCode} for {paths[n]}");
            }

            if (n >= WarmUpRequests)
            {
                latencies.Add(elapsed);
            }
        }

        var values = latencies.ToArray();
        return new ReadTiming(LoopResult.Percentile(values, 0.5), LoopResult.Percentile(values, 0.99), failed, firstFailure, rows);
    }

    /// <summary>The events an answer holds: a search page's <c>events</c>, or the one event of <c>GET /events/{jti}</c>.</summary>
    private static int RowsIn(byte[] body)
    {
        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array ? events.GetArrayLength() : 1;
    }

    /// <summary>Events to read by jti, old (the older half of the log) and new (the newest thousand), and the receive time of the middle one.</summary>
    private static Sample ReadSample(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var bounds = connection.CreateCommand();
        bounds.CommandText = "SELECT min(position), max(position) FROM events";
        long low, high;
        using (var reader = bounds.ExecuteReader())
        {
            reader.Read();
            (low, high) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        using var one = connection.CreateCommand();
        one.CommandText = "SELECT jti, project, received_at FROM events WHERE position >= $p ORDER BY position LIMIT 1";
        var position = one.Parameters.Add("$p", SqliteType.Integer);
        var random = new Random(7);
        (string Jti, string Project, long At) Read(long p)
        {
            position.Value = p;
            using var reader = one.ExecuteReader();
            reader.Read();
            return (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }

        var middle = (low + high) / 2;
        var old = Enumerable.Range(0, JtiSamples + WarmUpRequests).Select(_ => Read(random.NextInt64(low, middle + 1))).Select(e => (e.Jti, e.Project)).ToList();
        var recent = Enumerable.Range(0, JtiSamples + WarmUpRequests).Select(_ => Read(random.NextInt64(Math.Max(low, high - 1000), high + 1))).Select(e => (e.Jti, e.Project)).ToList();
        return new Sample(old, recent, Read(middle).At / 1000);
    }

    private static void Write(TextWriter output, List<StoredRun> runs)
    {
        output.WriteLine();
        output.WriteLine(Invariant($"| stored events | figure | measured | smaller store | ratio | goal | met? |"));
        output.WriteLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var run in runs)
        {
            foreach (var figure in Figures(run, runs))
            {
                output.WriteLine(Invariant($"| {run.Size:N0} | {figure.Name} | {figure.Value.ToString(figure.Format, System.Globalization.CultureInfo.InvariantCulture)} | {figure.Ceiling?.ToString() ?? "-"} | {(figure.Ceiling is { Value: > 0 } c ? (figure.Value / c.Value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-")} | {(figure.Target is { } t ? $"{(figure.AtMost ? "≤" : "≥")} {t.ToString(figure.Format, System.Globalization.CultureInfo.InvariantCulture)}" : "-")} | {figure.Verdict} |"));
            }
        }
    }

    /// <summary>
    /// Each figure of a run beside the empty store's: publish rate at least the empty store's ÷ <see cref="Bound"/>,
    /// each read's p50 at most <see cref="Bound"/> × the empty store's; p99 and CPU per event for information.
    /// A search whose page was empty in the empty store (nothing there of a rare type or from an inbound
    /// stream) is held against the smallest store whose page was not: an empty page is less work than a
    /// full one whatever the store's size, so it would measure the page, not the growth.
    /// </summary>
    public static IEnumerable<Figure> Figures(StoredRun run, IReadOnlyList<StoredRun> runs)
    {
        var size = Invariant($"{run.Size:N0} stored events");
        var empty = runs.FirstOrDefault(r => r.Size == 0);
        var hold = empty is not null && run.Size > 0;
        yield return new($"{size}: publish, 64 publishers, durable 202 (events/s)", run.PublishRate, "N0", hold ? new Ceiling("empty store", empty!.PublishRate) : null, hold ? empty!.PublishRate / Bound : null);
        yield return new($"(info) {size}: server CPU per published event (µs)", run.PublishCpuMicroseconds, "N0", hold ? new Ceiling("empty store", empty!.PublishCpuMicroseconds, "N0", " µs") : null, null);
        foreach (var (label, timing) in run.Reads)
        {
            var smaller = runs.Where(r => r.Size < run.Size && r.Reads.TryGetValue(label, out var t) && t.Rows > 0).MinBy(r => r.Size);
            var before = smaller?.Reads[label];
            var name = smaller is null ? "" : smaller.Size == 0 ? "empty store" : Invariant($"{smaller.Size:N0} stored (empty page in the empty store)");
            yield return new($"{size}: {label}, p50 (ms)", timing.P50, "F2", before is null ? null : new Ceiling(name, before.P50, "F2", " ms"), before is null ? null : before.P50 * Bound, AtMost: true);
            yield return new($"(info) {size}: {label}, p99 (ms); {timing.Rows} events in an answer", timing.P99, "F2", before is null ? null : new Ceiling(name, before.P99, "F2", " ms"), null);
        }

        yield return new($"(info) {size}: data file (MB)", run.DatabaseBytes / 1048576.0, "N0", null, null);
    }

    private static string Project(int p) => p == 0 ? "load" : Invariant($"p{p}");

    /// <summary>A SET as it would be stored: its claims readable, its signature a placeholder; about 600 characters, as a signed CAEP SET.</summary>
    private static string Token(string issuer, string jti, string? txn, string email, string type, long atMilliseconds)
    {
        var seconds = atMilliseconds / 1000;
        var txnClaim = txn is null ? "" : $",\"txn\":\"{txn}\"";
        var claims = $"{{\"iss\":\"{issuer}\",\"jti\":\"{jti}\",\"iat\":{seconds},\"aud\":\"https://rp.bench.example\"{txnClaim},\"sub_id\":{{\"format\":\"email\",\"email\":\"{email}\"}},"
            + $"\"events\":{{\"{type}\":{{\"event_timestamp\":{seconds},\"initiating_entity\":\"policy\"}}}}}}";
        return $"{Header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims))}.{Signature}";
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter(parameter, DBNull.Value));
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    private static long DatabaseBytes(string database) =>
        new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);

    private readonly record struct SeedCounts(long Entries, long SubjectKeys, TimeSpan Rows, TimeSpan Indexes);

    private sealed record Sample(List<(string Jti, string Project)> Old, List<(string Jti, string Project)> New, long MiddleSeconds);
}

/// <summary>One read's latencies in milliseconds and how many answers were not 200.</summary>
internal sealed record ReadTiming(double P50, double P99, int Failed, string? FirstFailure, int Rows);

/// <summary>The figures of one store size.</summary>
internal sealed class StoredRun(int size)
{
    public int Size { get; } = size;

    public TimeSpan SeedTime { get; set; }

    public double PublishRate { get; set; } = double.NaN;

    public double PublishCpuMicroseconds { get; set; } = double.NaN;

    public long DatabaseBytes { get; set; }

    public Dictionary<string, ReadTiming> Reads { get; } = [];
}

internal sealed record StoredEventsResult(IReadOnlyList<StoredRun> Runs)
{
    public static readonly StoredEventsResult None = new([]);

    public IEnumerable<Figure> Figures => Runs.SelectMany(r => StoredEventsPhase.Figures(r, Runs));
}
