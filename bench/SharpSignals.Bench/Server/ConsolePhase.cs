using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Sqlite;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Subjects;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The operator console's speed goal (issue 21): every page answers in under <see cref="GoalMs"/> ms
/// with <c>--console-streams</c> streams (1,000) and <c>--console-events</c> stored events (1,000,000)
/// on the embedded store. The real server creates the streams through its API (push streams to the
/// bench's loopback receiver, paused at once so that nothing is pushed while pages are timed; poll
/// streams, which nobody polls); it is stopped, the events are appended with their delivery entries
/// through the store's own API (concurrent appends, which its writer commits in groups), most entries
/// then acknowledged, some dead-lettered and the newest left pending; the server is started again on
/// the same data and each page in <see cref="Pages"/> is read <c>--console-requests</c> times, one
/// request at a time, after warm-up reads.
/// </summary>
internal static class ConsolePhase
{
    public const double GoalMs = 200;

    private const string Name = "console";
    private const int Projects = 5;
    private const int Users = 100_000;
    private const int WarmUpRequests = 3;
    private const string Issuer = "https://idp.bench.example";

    // Each stream's entries, oldest first: these shares delivered and dead-lettered, the newest rest pending.
    private const double DeliveredShare = 0.85;
    private const double DeadShare = 0.05;

    private static readonly string[] EventTypesRequested = [EventTypes.Caep.SessionRevoked, EventTypes.Caep.CredentialChange, EventTypes.Caep.TokenClaimsChange];

    // The SET's header and signature never change: no console page verifies a stored token, it decodes the claims.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"ES256","typ":"secevent+jwt","kid":"bench"}"""u8);
    private static readonly string Signature = new('A', 86);

    /// <summary>
    /// The pages timed, in one place: each admin API read the console's pages make, then the pages
    /// themselves once the server has them. Add a line here to time another.
    /// </summary>
    private static IEnumerable<Page> Pages(Seeded s)
    {
        var middle = s.MiddleAt.ToUnixTimeSeconds();
        yield return new("streams, all", "/admin/streams");
        yield return new("streams of one project", "/admin/streams?project=p1");
        yield return new("one stream's configuration", $"/ssf/streams?stream_id={s.StreamWithDeadLetters}");
        yield return new("one stream's dead letters", $"/admin/streams/{s.StreamWithDeadLetters}/deadletters");
        yield return new("events, newest", "/admin/events");
        yield return new("events, a page in the middle", $"/admin/events?before={s.MiddlePosition}");
        yield return new("events of one project", "/admin/events?project=p3");
        yield return new("events of one project, a page in the middle", $"/admin/events?project=p2&before={s.MiddlePosition}");
        yield return new("events of a rare type (1 in 1,000)", $"/admin/events?event_type={Uri.EscapeDataString(EventTypes.Caep.TokenClaimsChange)}");
        yield return new("events by txn", $"/admin/events?txn={s.MiddleTxn}");
        yield return new("events by a txn nobody sent", "/admin/events?txn=no-such-txn");
        yield return new("events by source stream", "/admin/events?source_stream_id=bench-inbound-p0"); // every event from one is in p0 (i % 20 == 5)
        yield return new("events by subject, email:value", $"/admin/events?subject={Uri.EscapeDataString(s.MiddleSubject)}");
        yield return new("events by subject, value alone", $"/admin/events?subject={Uri.EscapeDataString(s.MiddleSubject["email:".Length..])}");
        yield return new("events by a subject never seen", "/admin/events?subject=nobody%40example.com");
        yield return new("events in one hour, 3 days ago", $"/admin/events?since={middle}&until={middle + 3600}");
        yield return new("events up to 3 days ago", $"/admin/events?until={middle}");
        yield return new("one event and where it went", $"/events/{s.MiddleJti}?project={s.MiddleProject}");
        yield return new("keys", "/admin/keys");
        yield return new("clients", "/admin/clients");
        yield return new("console: overview", "/console", Console: true);
        yield return new("console: one stream", $"/console/streams/{s.StreamWithDeadLetters}", Console: true);
        yield return new("console: events by subject", $"/console/events?subject={Uri.EscapeDataString(s.MiddleSubject)}", Console: true);
        yield return new("console: events by txn", $"/console/events?txn={s.MiddleTxn}", Console: true);
        yield return new("console: dead letters", "/console/deadletters", Console: true);
        yield return new("console: keys", "/console/keys", Console: true);
        yield return new("console: realtime", "/console/realtime", Console: true);
    }

    public static async Task<ConsoleResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine(Invariant($"console: {options.ConsoleStreams:N0} streams, {options.ConsoleEvents:N0} events ..."));

        // --console-data keeps the seeded data directory, and a later run with it times the pages again without seeding.
        var directory = Path.GetFullPath(options.ConsoleData ?? Path.Combine(temp, Name));
        var (parent, name) = (Path.GetDirectoryName(directory)!, Path.GetFileName(directory));
        var database = Path.Combine(directory, "sharpsignals.db");
        var seedTime = TimeSpan.Zero;
        if (File.Exists(database))
        {
            // A newer server's migrations may have work to do on a million events: done here, not inside the server's start-up wait.
            var migrating = Stopwatch.StartNew();
            await using (SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database }))
            {
            }

            details.Add(Invariant($"console: the data seeded before in {directory} reused; the store opened (migrations applied) in {migrating.Elapsed.TotalSeconds:F1} s"));
            output.WriteLine($"  {details[^1]}");
        }
        else
        {
            seedTime = await SeedAsync(options, parent, name, database, details, output);
        }

        var port = ChildProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(parent, name, SigningAlgorithms.ES256, port, $"http://127.0.0.1:{port}", null);
        var adminToken = await ServerProcess.ReadAdminTokenAsync(parent, name);
        var seeded = await DescribeAsync(database, options.ConsoleEvents);
        var timed = await TimePagesAsync(server.BaseAddress, adminToken, Pages(seeded).ToList(), options.ConsoleRequests, output);
        Write(output, timed, options.ConsoleRequests);
        return new ConsoleResult(timed, seedTime);
    }

    /// <summary>The streams through a first server's API, then, with that server stopped, the events through the store.</summary>
    private static async Task<TimeSpan> SeedAsync(LoadOptions options, string parent, string name, string database, List<string> details, TextWriter output)
    {
        await using var receiver = await PushReceiver.StartAsync();
        var (server, adminToken) = await ServerProcess.StartAsync(parent, name, SigningAlgorithms.ES256);
        List<SeedStream> streams;
        var creating = Stopwatch.StartNew();
        await using (server)
        {
            streams = await CreateStreamsAsync(server.BaseAddress, adminToken, receiver.Url, options.ConsoleStreams);
        }

        output.WriteLine(Invariant($"  {streams.Count:N0} streams created through the API in {creating.Elapsed.TotalSeconds:F1} s"));
        var seeding = Stopwatch.StartNew();
        var seeded = await SeedEventsAsync(database, streams, options.ConsoleEvents, output);
        details.Add(Invariant(
            $"console: {streams.Count:N0} streams ({streams.Count(s => s.Push):N0} push, paused; the rest poll) and {options.ConsoleEvents:N0} events with {seeded.Entries:N0} entries ({seeded.Delivered:N0} delivered, {seeded.Dead:N0} dead letters, {seeded.Entries - seeded.Delivered - seeded.Dead:N0} pending) seeded through the store in {seeding.Elapsed.TotalSeconds:F0} s (appends {seeded.AppendTime.TotalSeconds:F0} s, {options.ConsoleEvents / seeded.AppendTime.TotalSeconds:N0} events/s; settling {seeded.SettleTime.TotalSeconds:F0} s); database {seeded.DatabaseBytes / 1048576.0:N0} MB"));
        output.WriteLine($"  {details[^1]}");
        return seeding.Elapsed;
    }

    /// <summary>The values the pages search for, read back from the store: a stream with dead letters and the middle event.</summary>
    private static async Task<Seeded> DescribeAsync(string database, int events)
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = database });
        var streams = await store.ListStreamsAsync(null, null, CancellationToken.None);
        var backlogs = await store.GetBacklogsAsync([.. streams.Select(s => s.StreamId)], CancellationToken.None);
        var middle = events / 2;
        var stored = await store.FindByJtiAsync(null, Jti(middle), CancellationToken.None)
            ?? throw new InvalidOperationException($"The data was not seeded with {events:N0} events: event {Jti(middle)} is not in it.");
        return new Seeded(
            streams.First(s => backlogs[s.StreamId].DeadLetters > 0).StreamId,
            stored.Position,
            stored.Jti,
            stored.Project,
            Txn(middle)!,
            $"email:{Email(middle)}",
            stored.ReceivedAt);
    }

    /// <summary>Streams in <see cref="Projects"/> projects, six in ten push (paused once created), the rest poll.</summary>
    private static async Task<List<SeedStream>> CreateStreamsAsync(Uri baseAddress, string adminToken, string pushUrl, int count)
    {
        using var admin = new HttpClient(SsfClient.NewHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var streams = new SeedStream[count];
        using var slots = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await slots.WaitAsync();
            try
            {
                var push = i % 10 < 6;
                var project = $"p{i % Projects}";
                object delivery = push ? new { method = DeliveryMethods.Push, endpoint_url = pushUrl } : new { method = DeliveryMethods.Poll };
                var created = await SsfClient.ReadAsync(await admin.PostAsJsonAsync("/ssf/streams", new { project, events_requested = EventTypesRequested, delivery, description = $"bench stream {i}" }), HttpStatusCode.Created);
                var id = created.GetProperty("stream_id").GetString()!;
                if (push)
                {
                    await SsfClient.ReadAsync(await admin.PostAsJsonAsync("/ssf/status", new { stream_id = id, status = "paused", reason = "bench: console reads" }), HttpStatusCode.OK);
                }

                streams[i] = new SeedStream(id, project, push);
            }
            finally
            {
                slots.Release();
            }
        }));
        return [.. streams];
    }

    /// <summary>
    /// The events, each routed to one or two streams of its project, appended through the store with
    /// many appends in flight; then each stream's oldest entries acknowledged (a thousand a call, as a
    /// poll does), the next dead-lettered and the newest left pending, the oldest of those with a failed attempt.
    /// </summary>
    private static async Task<SeedCounts> SeedEventsAsync(string databasePath, List<SeedStream> streams, int events, TextWriter output)
    {
        const int inFlight = 1024;
        var byProject = Enumerable.Range(0, Projects).Select(p => streams.Select((s, i) => (s, i)).Where(x => x.s.Project == $"p{p}").Select(x => x.i).ToArray()).ToArray();
        var routed = streams.Select(_ => new List<int>()).ToArray();
        var now = DateTimeOffset.UtcNow;
        var first = now.AddDays(-6);
        var step = TimeSpan.FromDays(6) / events;
        long entries = 0;

        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = databasePath });
        var appending = Stopwatch.StartNew();
        var pending = new List<Task<AppendResult>>(inFlight);
        for (var i = 0; i < events; i++)
        {
            var ofProject = byProject[i % Projects];
            var one = ofProject[i / Projects % ofProject.Length];
            var two = ofProject[(i / Projects + 1) % ofProject.Length];
            routed[one].Add(i);
            NewDelivery[] deliveries = i % 2 == 0 && two != one
                ? [new NewDelivery(streams[one].StreamId, Jti(i)), new NewDelivery(streams[two].StreamId, Jti(i))]
                : [new NewDelivery(streams[one].StreamId, Jti(i))];
            if (deliveries.Length == 2)
            {
                routed[two].Add(i);
            }

            entries += deliveries.Length;
            pending.Add(store.AppendAsync(NewEvent(i, first + (step * i)), deliveries, CancellationToken.None).AsTask());
            if (pending.Count == inFlight)
            {
                await Task.WhenAll(pending);
                pending.Clear();
                if ((i + 1) / 100_000 != (i + 1 - inFlight) / 100_000)
                {
                    output.WriteLine(Invariant($"  {i + 1:N0} events appended, {(i + 1) / appending.Elapsed.TotalSeconds:N0}/s"));
                }
            }
        }

        await Task.WhenAll(pending);
        var appendTime = appending.Elapsed;

        var settling = Stopwatch.StartNew();
        long delivered = 0, dead = 0;
        using var slots = new SemaphoreSlim(16);
        await Task.WhenAll(streams.Select(async (stream, s) =>
        {
            await slots.WaitAsync();
            try
            {
                var jtis = routed[s].Select(Jti).ToList();
                var deliveredCount = (int)(jtis.Count * DeliveredShare);
                var deadCount = (int)(jtis.Count * DeadShare);
                for (var k = 0; k < deliveredCount; k += 1000)
                {
                    Interlocked.Add(ref delivered, await store.AcknowledgeAsync(stream.StreamId, jtis.GetRange(k, Math.Min(1000, deliveredCount - k)), now, CancellationToken.None));
                }

                var refused = new DeliveryAttempt(now, Status: 400, Error: "invalid_request", Description: "bench: refused", Duration: TimeSpan.FromMilliseconds(12), Response: """{"err":"invalid_request"}""");
                Interlocked.Add(ref dead, await store.DeadLetterAsync(
                    stream.StreamId,
                    [.. jtis.GetRange(deliveredCount, deadCount).Select(j => new DeliveryFailure(j, "invalid_request", "bench: refused", refused))],
                    now,
                    CancellationToken.None));
                if (stream.Push && (await store.ReadPendingAsync(stream.StreamId, 1, CancellationToken.None)) is [var oldest])
                {
                    await store.RecordFailedAttemptAsync(stream.StreamId, oldest.Id, "HTTP 503", new DeliveryAttempt(now, Status: 503, Duration: TimeSpan.FromMilliseconds(30)), now.AddMinutes(5), CancellationToken.None);
                }
            }
            finally
            {
                slots.Release();
            }
        }));

        var size = new FileInfo(databasePath).Length + (File.Exists(databasePath + "-wal") ? new FileInfo(databasePath + "-wal").Length : 0);
        return new SeedCounts(entries, delivered, dead, appendTime, settling.Elapsed, size);
    }

    private static string Jti(int i) => $"bench-{i:D7}";

    private static string? Txn(int i) => i % 2 == 0 ? $"txn-{i}" : null;

    private static string Email(int i) => $"user{i % Users}@example.com";

    /// <summary>Event <paramref name="i"/>: its type (one in a thousand rare), txn (every other), source (one in twenty came in on an inbound stream) and subject.</summary>
    private static NewEvent NewEvent(int i, DateTimeOffset at)
    {
        var type = i % 1000 == 7 ? EventTypes.Caep.TokenClaimsChange : i % 10 == 3 ? EventTypes.Caep.CredentialChange : EventTypes.Caep.SessionRevoked;
        var project = $"p{i % Projects}";
        var subject = new EmailSubject(Email(i));
        return new NewEvent(Issuer, Jti(i), project, [type], Token(i, type, subject, at), at)
        {
            Txn = Txn(i),
            SourceStreamId = i % 20 == 5 ? $"bench-inbound-{project}" : null,
            SubjectKeys = EventSubjects.KeysOf(subject),
        };
    }

    /// <summary>A SET as it would be stored: its claims readable, its signature a placeholder nobody checks.</summary>
    private static string Token(int i, string type, SubjectIdentifier subject, DateTimeOffset at)
    {
        var txn = Txn(i) is { } t ? $",\"txn\":\"{t}\"" : "";
        var seconds = at.ToUnixTimeSeconds();
        var claims = $"{{\"iss\":\"{Issuer}\",\"jti\":\"{Jti(i)}\",\"iat\":{seconds}{txn},\"sub_id\":{subject.ToJson()},"
            + $"\"events\":{{\"{type}\":{{\"event_timestamp\":{seconds},\"initiating_entity\":\"policy\"}}}}}}";
        return $"{Header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims))}.{Signature}";
    }

    /// <summary>Each page after warm-up reads, one request at a time; console pages only when the server serves them, through a signed-in session.</summary>
    private static async Task<List<PageTiming>> TimePagesAsync(Uri baseAddress, string adminToken, List<Page> pages, int requests, TextWriter output)
    {
        // No redirect is followed: the sign-in answers with a redirect that sets the session cookie, and a
        // page that sends the viewer back to the sign-in must count as a failure, not as a quick page.
        var handler = SsfClient.NewHandler();
        handler.AllowAutoRedirect = false;
        using var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var session = await ConsoleSession.SignInAsync(client, adminToken);
        output.WriteLine(session is null ? "  the server has no /console yet: its pages are not timed" : "  signed in to /console");
        var timings = new List<PageTiming>();
        foreach (var page in pages)
        {
            if (page.Console && session is null)
            {
                continue;
            }

            var latencies = new double[requests];
            var status = HttpStatusCode.OK;
            var bytes = 0L;
            for (var n = -WarmUpRequests; n < requests; n++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(page.Path, UriKind.Relative));
                if (page.Console)
                {
                    request.Headers.Add("Cookie", session!);
                }
                else
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    status = response.StatusCode;
                }

                if (n >= 0)
                {
                    latencies[n] = elapsed;
                    bytes = body.Length;
                }
            }

            var timing = new PageTiming(page, LoopResult.Percentile(latencies, 0.5), LoopResult.Percentile(latencies, 0.95), LoopResult.Percentile(latencies, 1), status, bytes);
            output.WriteLine(Invariant($"  {page.Name}: p50 {timing.P50:F1} ms, p95 {timing.P95:F1} ms, max {timing.Max:F1} ms, {bytes:N0} bytes{(status == HttpStatusCode.OK ? "" : $", HTTP {(int)status}")}"));
            timings.Add(timing);
        }

        return timings;
    }

    private static void Write(TextWriter output, List<PageTiming> timings, int requests)
    {
        output.WriteLine();
        output.WriteLine(Invariant($"| page ({requests} requests each) | path | p50 | p95 | max | goal | met? |"));
        output.WriteLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var t in timings)
        {
            output.WriteLine(Invariant($"| {t.Page.Name} | `{t.Page.Path}` | {t.P50:F1} ms | {t.P95:F1} ms | {t.Max:F1} ms | < {GoalMs:N0} ms | {t.Verdict} |"));
        }
    }
}

/// <summary>A page to time: the admin API read a console page makes, or a console page itself (<paramref name="Console"/>: read with a session cookie).</summary>
internal sealed record Page(string Name, string Path, bool Console = false);

internal sealed record PageTiming(Page Page, double P50, double P95, double Max, HttpStatusCode Status, long Bytes)
{
    /// <summary>Met when every request answered 200 and the slowest of the typical ones (p95) under the goal.</summary>
    public string Verdict => Status != HttpStatusCode.OK ? $"HTTP {(int)Status}" : P95 < ConsolePhase.GoalMs ? "met" : "MISSED";
}

internal sealed record SeedStream(string StreamId, string Project, bool Push);

/// <summary>What the seeding stored and how long it took.</summary>
internal sealed record SeedCounts(long Entries, long Delivered, long Dead, TimeSpan AppendTime, TimeSpan SettleTime, long DatabaseBytes);

/// <summary>The values the pages search for.</summary>
internal sealed record Seeded(
    string StreamWithDeadLetters,
    long MiddlePosition,
    string MiddleJti,
    string MiddleProject,
    string MiddleTxn,
    string MiddleSubject,
    DateTimeOffset MiddleAt);

internal sealed record ConsoleResult(IReadOnlyList<PageTiming> Pages, TimeSpan SeedTime)
{
    public static readonly ConsoleResult None = new([], TimeSpan.Zero);
}
