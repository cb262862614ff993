using System.Diagnostics;
using System.Runtime.InteropServices;
using SharpSignals.Tokens.Keys;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// <c>load [--seconds N] [--publishers N] [--poll-events N] [--push-events N] [--only PARTS] ...</c>
/// (<see cref="LoadOptions"/>): the server load generator. In one run it measures the ceilings on
/// this machine (bare Kestrel, raw ES256/RS256 signing and ES256 verifying, fsync'd SQLite commits),
/// then starts the real server as a child process and measures publishing, fsyncs per event, poll
/// drain, push delivery and memory, and, when asked, push ingest on an inbound stream, end to end
/// delivery, one dead receiver of ten, WebSocket fan-out and a cluster of one node and of two on one
/// PostgreSQL server (<see cref="ClusterPhase"/>), each beside its ceiling and the issue's target. The generator and the server share the machine's cores; the CPU each used is
/// printed with every phase.
/// </summary>
internal static class LoadCommand
{
    public const string Mode = "load";

    internal const int PollBatch = 1000;

    /// <summary>Issue 23: push ingest at least this share of raw ES256 verification on all cores.</summary>
    private const double IngestVerifyRatio = 0.30;

    /// <summary>Issue 23: end to end sustained at least this share of bare Kestrel one request at a time.</summary>
    private const double EndToEndKestrelRatio = 0.35;

    /// <summary>Polls of <see cref="PollWarmUpBatch"/> before the timed drain: more calls than tiered compilation counts before it optimises a method.</summary>
    internal const int PollWarmUpPolls = 60;
    internal const int PollWarmUpBatch = 100;

    /// <summary>Live pushes before the timed backlog, for the same reason and to open the connection.</summary>
    internal const int PushWarmUpEvents = 3000;
    private const double MegaByte = 1024 * 1024;

    /// <summary>A pause after a warm-up, for the methods it made hot to be recompiled in the background.</summary>
    internal static readonly TimeSpan JitSettle = TimeSpan.FromSeconds(1);

    public static bool Handles(string[] args) => args is [Mode or KestrelSink.Mode or WebSocketFanOutSink.Mode, ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] == KestrelSink.Mode)
        {
            return await KestrelSink.RunAsync(args[1..]);
        }

        if (args[0] == WebSocketFanOutSink.Mode)
        {
            return await WebSocketFanOutSink.RunAsync(args[1..]);
        }

        var (options, error) = LoadOptions.Parse(args[1..]);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        var temp = Directory.CreateTempSubdirectory("sharpsignals-load-");
        try
        {
            return await RunAsync(options, temp.FullName);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(LoadOptions options, string temp)
    {
        var output = Console.Out;
        output.WriteLine(Invariant($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {options.Publishers} publishers, {options.Seconds} s windows"));
        var details = new List<string>();

        // 1. Ceilings, with nothing else running: all of them for the default parts, else those the parts asked for are held against.
        var cores = Environment.ProcessorCount;
        var signWindow = TimeSpan.FromSeconds(Math.Clamp(options.Seconds / 5.0, 1, 3));
        var all = options.Runs(LoadOptions.Ceilings);
        var ingest = options.Runs(LoadOptions.Ingest);
        var endToEnd = options.Runs(LoadOptions.EndToEnd);
        var cluster = options.Runs(LoadOptions.Cluster);
        var fanOut = options.Runs(LoadOptions.FanOut);
        (Ceiling Ceiling, bool Needed, Func<Task<double>> Measure)[] planned =
        [
            (new($"bare Kestrel POST → 202, {options.Publishers} concurrent", double.NaN), all || options.Runs(LoadOptions.Publish) || ingest || cluster, () => MeasureKestrelAsync(options, options.Publishers, details)),
            (new("bare Kestrel POST → 202, 1 at a time", double.NaN), all || endToEnd, () => MeasureKestrelAsync(options, 1, details)),
            (new("ES256 sign, 1 thread", double.NaN), all, () => Task.FromResult(Ceilings.SignRate(SigningAlgorithms.ES256, 1, signWindow))),
            (new($"ES256 sign, {cores} threads", double.NaN), all || cluster || fanOut, () => Task.FromResult(Ceilings.SignRate(SigningAlgorithms.ES256, cores, signWindow))),
            (new("RS256 sign, 1 thread", double.NaN), all, () => Task.FromResult(Ceilings.SignRate(SigningAlgorithms.RS256, 1, signWindow))),
            (new($"RS256 sign, {cores} threads", double.NaN), all, () => Task.FromResult(Ceilings.SignRate(SigningAlgorithms.RS256, cores, signWindow))),
            (new("SQLite fsync'd insert, 1 row per commit", double.NaN), all, () => Task.FromResult(Ceilings.SqliteInsertRate(temp, 1, signWindow))),
            (new("SQLite fsync'd insert rows, 100 per commit", double.NaN), all, () => Task.FromResult(Ceilings.SqliteInsertRate(temp, 100, signWindow))),
            (new($"SQLite fsync'd insert rows, {PollBatch} per commit", double.NaN), all, () => Task.FromResult(Ceilings.SqliteInsertRate(temp, PollBatch, signWindow))),
            (new("ES256 verify, 1 thread", double.NaN), all || ingest, () => Task.FromResult(Ceilings.VerifyRate(1, signWindow))),
            (new($"ES256 verify, {cores} threads", double.NaN), all || ingest, () => Task.FromResult(Ceilings.VerifyRate(cores, signWindow))),
            (new($"bare Kestrel POST → 202, {options.ClusterPushStreams} concurrent", double.NaN), cluster, () => MeasureKestrelAsync(options, options.ClusterPushStreams, details)),
        ];
        var ceilings = planned.Select(p => p.Ceiling).ToList();
        if (planned.Any(p => p.Needed))
        {
            output.WriteLine("ceilings ...");
        }

        for (var i = 0; i < planned.Length; i++)
        {
            if (planned[i].Needed)
            {
                ceilings[i] = ceilings[i] with { Value = await planned[i].Measure() };
                output.WriteLine(Invariant($"  {ceilings[i].Name}: {ceilings[i].Value:N0}/s"));
            }
        }

        // 2. The real server: ES256 for publishing, polling and push; RS256 for push.
        await using var receiver = await PushReceiver.StartAsync();
        var es = options.Runs(LoadOptions.Publish) || options.Runs(LoadOptions.Push)
            ? await RunServerAsync(options, temp, SigningAlgorithms.ES256, receiver, options.Runs(LoadOptions.Publish), options.Runs(LoadOptions.Push), details)
            : new ServerRun();
        var rs = options.Runs(LoadOptions.Push)
            ? await RunServerAsync(options, temp, SigningAlgorithms.RS256, receiver, publishAndPoll: false, push: true, details)
            : new ServerRun();

        // 3. The receiver side: push ingest, end to end, one dead receiver of ten; each on servers of its own.
        var ingested = ingest ? await IngestPhase.RunAsync(options, temp, details) : IngestResult.None;
        var e2e = endToEnd ? await EndToEndPhase.RunAsync(options, temp, details) : EndToEndResult.None;
        var dead = options.Runs(LoadOptions.Dead) ? await DeadReceiverPhase.RunAsync(options, temp, details) : DeadReceiverResult.None;
        var streams = options.Runs(LoadOptions.Streams) ? await PushStreamsPhase.RunAsync(options, temp, details) : PushStreamsResult.None;

        // 4. WebSocket fan-out: a bare Kestrel fan-out (its own ceiling), then a server.
        var ws = options.Runs(LoadOptions.WebSocket) ? await WebSocketFanOutPhase.RunAsync(options, temp, details) : WebSocketResult.None;
        // 5. The cluster: one node, then two, on one PostgreSQL server whose raw commit rates it measures first.
        var clustered = cluster ? await ClusterPhase.RunAsync(options, temp, details) : ClusterResult.None;
        ceilings.AddRange(clustered.Ceilings?.All ?? []);

        // 6. Retention: the sweep of the embedded store, in steps and as one transaction, while appends go on.
        var retention = options.Runs(LoadOptions.Retention) ? await RetentionPhase.RunAsync(options, temp, details) : RetentionResult.None;

        // 7. The operator console's reads on a store of a thousand streams and a million events.
        var console = options.Runs(LoadOptions.OperatorConsole) ? await ConsolePhase.RunAsync(options, temp, details) : ConsoleResult.None;

        // 8. Stored events: publish, reads by jti and the event search as the embedded store grows.
        var stored = options.Runs(LoadOptions.Stored) ? await StoredEventsPhase.RunAsync(options, temp, details) : StoredEventsResult.None;
        // 8. Issue 23, §2: routing cost as the subjects grow, and one event fanned out to many streams.
        var subjects = options.Runs(LoadOptions.Subjects) ? await SubjectsPhase.RunAsync(options, temp, details) : SubjectsResult.None;
        var fannedOut = fanOut ? await FanOutPhase.RunAsync(options, temp, receiver, details) : FanOutResult.None;

        var wsCeiling = new Ceiling($"bare Kestrel WebSocket fan-out, {options.WebSocketSubscribers:N0} subscribers, {options.WebSocketRate} broadcasts/s offered", ws.Bare?.Rate ?? double.NaN);
        ceilings.Add(wsCeiling);

        var kestrelCeiling = ceilings[0];
        var figures = new List<Figure>
        {
            new($"publish, {options.Publishers} publishers, durable 202 (events/s)", es.PublishRate, "N0", kestrelCeiling, 12_000),
            new($"(ratio) publish, {options.Publishers} publishers, against bare Kestrel at {options.Publishers} concurrent", es.PublishRate / kestrelCeiling.Value, "F2", null, 0.25),
            new($"server CPU per published event at {options.Publishers} publishers (µs)", es.PublishCpuMicroseconds, "N0", null, 130, AtMost: true),
            new($"fsyncs (commits) per event at {options.Publishers} publishers", es.CommitsPerEvent, "F3", null, 0.05, AtMost: true),
            new($"poll drain, batches of {PollBatch} with ack (SETs/s)", es.PollRate, "N0", ceilings[8], 50_000),
            new("push to one receiver, ES256 (SETs/s)", es.PushRate, "N0", ceilings[1], 12_000),
            new("push to one receiver, RS256 (SETs/s)", rs.PushRate, "N0", ceilings[1], 3_000),
            new("server peak memory, ES256 run (MB, VmHWM)", es.PeakMemory / MegaByte, "N0", null, 300, AtMost: true),
            new("server peak memory, RS256 run (MB, VmHWM)", rs.PeakMemory / MegaByte, "N0", null, 300, AtMost: true),
            new($"(info) publish with ES256, paused push stream, {options.Publishers} publishers (events/s)", es.BacklogPublishRate, "N0", new Ceiling("ES256 sign, all threads, ÷ 2 signs per event", ceilings[3].Value / 2), null),
            new($"(info) publish with RS256, paused push stream, {options.Publishers} publishers (events/s)", rs.BacklogPublishRate, "N0", new Ceiling("RS256 sign, all threads, ÷ 2 signs per event", ceilings[5].Value / 2), null),
            new($"push ingest, {options.Publishers} senders, durable 202 (SETs/s)", ingested.Rate, "N0", kestrelCeiling, 12_000),
            new($"push ingest against raw ES256 verify, {cores} threads (SETs/s; target: ratio ≥ {IngestVerifyRatio:F2})", ingested.Rate, "N0", ceilings[10], IngestVerifyRatio * ceilings[10].Value),
            new(Invariant($"push ingest p99, paced at half that rate, {ingested.PacedRate:N0}/s (ms)"), ingested.PacedP99, "F1", new Ceiling("bare Kestrel POST → 202 paced at the same rate, p99", ingested.PacedFloorP99, "F2", " ms"), 10, AtMost: true),
            new($"end to end sustained, {options.EndToEndSeconds} s: ingest → route → push to one receiver (SETs/s; target: ratio ≥ {EndToEndKestrelRatio:F2})", e2e.Rate, "N0", ceilings[1], EndToEndKestrelRatio * ceilings[1].Value),
            new(Invariant($"end to end delivery p99, paced at {e2e.PacedRate:N0}/s{(options.EndToEndRate > 0 ? "" : ", half the sustained rate")} (ms)"), e2e.PacedP99, "F1", null, 100, AtMost: true),
            new("server peak memory, end to end run (MB, VmHWM)", e2e.PeakMegabytes, "N0", null, 300, AtMost: true),
            new("nine live receivers' throughput, tenth refusing connections ÷ nine streams only", dead.Refused / dead.NineOnly, "F2", null, 0.9),
            new("nine live receivers' throughput, tenth hanging ÷ nine streams only", dead.Hanging / dead.NineOnly, "F2", null, 0.9),
            new("(info) nine live receivers' throughput, tenth alive ÷ nine streams only", dead.Alive / dead.NineOnly, "F2", null, null),
            new("(info) nine live receivers, nine streams only (SETs/s)", dead.NineOnly, "N0", null, null),
            new("(info) nine live receivers, tenth alive (SETs/s)", dead.Alive, "N0", null, null),
            new("(info) nine live receivers, tenth refusing connections (SETs/s)", dead.Refused, "N0", null, null),
            new("(info) nine live receivers, tenth hanging (SETs/s)", dead.Hanging, "N0", null, null),
            new($"server memory with {options.WebSocketSubscribers:N0} WebSocket subscribers connected (MB, VmHWM over the part)", ws.Server?.PeakMegabytes ?? double.NaN, "N0", null, 1024, AtMost: true),
            new($"(info) server VmRSS with all {options.WebSocketSubscribers:N0} connected, before broadcasting (MB)", ws.Server?.ConnectedMegabytes ?? double.NaN, "N0", null, null),
            new($"one broadcast to {options.WebSocketSubscribers:N0} subscribers, POST to receipt p99 (ms)", ws.Server?.Single.P99 ?? double.NaN, "F1", null, 250, AtMost: true),
            new("(info) one broadcast, POST to receipt p50 (ms)", ws.Server?.Single.P50 ?? double.NaN, "F1", null, null),
            new("(info) one broadcast, POST to receipt max (ms)", ws.Server?.Single.Max ?? double.NaN, "F1", null, null),
            new("(info) bare Kestrel fan-out: one broadcast, POST to receipt p99 (ms)", ws.Bare?.Single.P99 ?? double.NaN, "F1", null, null),
            new($"sustained fan-out, {options.WebSocketRate} broadcasts/s to {options.WebSocketSubscribers:N0} subscribers (messages delivered/s)", ws.Server?.Rate ?? double.NaN, "N0", wsCeiling, 50_000),
            new("(info) bare Kestrel fan-out memory, VmHWM over the part (MB)", ws.Bare?.PeakMegabytes ?? double.NaN, "N0", null, null),
        };
        figures.AddRange(streams.Figures());
        figures.AddRange(RetentionFigures(retention));
        figures.AddRange(stored.Figures);
        figures.AddRange(SubjectFigures(subjects));
        figures.AddRange(FanOutFigures(fannedOut, ceilings[3]));
        figures.AddRange(console.Pages.Select(p => new Figure($"console read p95: {p.Page.Name} (ms)", p.P95, "F1", null, ConsolePhase.GoalMs, AtMost: true)));
        figures.AddRange(ClusterFigures(options, clustered, kestrelCeiling, ceilings[11], new Ceiling("ES256 sign, all threads, ÷ 3 signs per event", ceilings[3].Value / 3)));
        Write(output, ceilings, figures, details);
        return 0;
    }

    /// <summary>
    /// The sweep's pace, and the appends' p99 while it runs beside the same appends alone; no targets
    /// (the issue asks only that nothing pending is purged).
    /// </summary>
    private static IEnumerable<Figure> RetentionFigures(RetentionResult retention)
    {
        var paced = Invariant($"appends paced at {RetentionPhase.AppendRate:N0}/s");
        foreach (var run in retention.Runs)
        {
            yield return new($"(info) retention sweep in {run.Label} (rows deleted/s)", run.RowsPerSecond, "N0", null, null);
            yield return new($"(info) {paced}, p99 just before the sweep in {run.Label} (ms)", run.Alone.P99, "F1", null, null);
            yield return new($"(info) {paced}, p99 during the sweep in {run.Label} (ms)", run.During.P99, "F1", null, null);
            yield return new($"(info) {paced}, max during the sweep in {run.Label} (ms)", run.During.Max, "F1", null, null);
        }
    }

    /// <summary>
    /// Issue 23, §2 "subjects": server CPU per published event at each size beside the smallest size's
    /// (goal: within 2×), and the server's memory at each size (goal: ≤ 300 MB).
    /// </summary>
    private static IEnumerable<Figure> SubjectFigures(SubjectsResult subjects)
    {
        if (subjects.Sizes.Count == 0)
        {
            yield break;
        }

        var smallest = subjects.Sizes[0];
        var perEvent = $"server CPU per event, {SubjectsPhase.Streams} poll streams, default_subjects NONE";
        foreach (var size in subjects.Sizes)
        {
            yield return new(Invariant($"(info) publish with {size.Subjects:N0} subjects (events/s)"), size.PublishRate, "N0", null, null);
            yield return new(Invariant($"(info) {perEvent}, {size.Subjects:N0} subjects (µs)"), size.MicrosecondsPerEvent, "N0", null, null);
            yield return new(Invariant($"{perEvent}, {size.Subjects:N0} subjects ÷ {smallest.Subjects:N0} subjects"), size.MicrosecondsPerEvent / smallest.MicrosecondsPerEvent, "F2", null, 2, AtMost: true);
            yield return new(Invariant($"server memory with {size.Subjects:N0} subjects, after publishing (MB, VmRSS)"), size.RssMegabytes, "N0", null, 300, AtMost: true);
        }
    }

    /// <summary>Issue 23, §2 "fan-out": delivered SETs a second at each size beside the raw ES256 sign rate on all cores (goal at 1,000 streams: ≥ 0.5 of it).</summary>
    private static IEnumerable<Figure> FanOutFigures(FanOutResult fanOut, Ceiling signs)
    {
        foreach (var (method, sizes) in new[] { ("poll, drained in batches with ack", fanOut.Poll), ("push to a loopback receiver", fanOut.Push) })
        {
            foreach (var size in sizes)
            {
                var name = Invariant($"fan-out of one event to {size.Streams:N0} streams, {method} (SETs/s)");
                yield return size.Streams == FanOutPhase.Sizes[^1]
                    ? new(name, size.Rate, "N0", signs, signs.Value * 0.5)
                    : new("(info) " + name, size.Rate, "N0", signs, null);
            }
        }
    }

    /// <summary>
    /// Each cluster figure with one node and with two beside its ceiling, and the two-node figure
    /// beside the one-node one (issue 6: how throughput changes from one node to two). No targets:
    /// the issue asks for the change, not a rate.
    /// </summary>
    private static IEnumerable<Figure> ClusterFigures(LoadOptions options, ClusterResult cluster, Ceiling kestrel, Ceiling kestrelPushStreams, Ceiling signs)
    {
        var (one, two) = (cluster.OneNode, cluster.TwoNodes);
        var publish = $"cluster publish, {options.Publishers} publishers over the nodes, 2 poll streams, durable 202 (events/s)";
        var poll = $"cluster poll drain, 2 streams at once, batches of {PollBatch} with ack (SETs/s)";
        var push = $"cluster push, {options.ClusterPushStreams} streams to local receivers (SETs/s)";
        var batch = cluster.Ceilings?.Batch;
        var commits = cluster.Ceilings?.SingleRowConcurrent;
        var hundred = cluster.Ceilings?.Hundred;
        foreach (var run in new[] { one, two })
        {
            yield return new($"{publish}, {run.Label}", run.PublishRate, "N0", kestrel, null);
            yield return new($"(info) {publish}, {run.Label}, against signing", run.PublishRate, "N0", signs, null);

            // The database's own durable commit rate, measured on the same server in this run (issue 23 §2): one
            // commit per event would cap publishing at the first; group commit lets it pass it, up to the second.
            yield return new($"{publish}, {run.Label}, against the database's commit rate", run.PublishRate, "N0", commits, null);
            yield return new($"(info) {publish}, {run.Label}, against batched durable inserts", run.PublishRate, "N0", hundred, null);
            yield return new($"cluster node commits/s while publishing, {run.Label}", run.PublishRate * run.CommitsPerEvent, "N0", commits, null);
            yield return new($"cluster node commits per event, {run.Label}", run.CommitsPerEvent, "F3", null, null);
            yield return new($"cluster WAL flushes per event, {run.Label}", run.WalFlushesPerEvent, "F3", null, null);
            yield return new($"{poll}, {run.Label}", run.PollRate, "N0", batch, null);
            yield return new($"{push}, {run.Label}", run.PushRate, "N0", kestrelPushStreams, null);
            yield return new($"(info) {push}, {run.Label}, against the database's commit rate", run.PushRate, "N0", commits, null);
        }

        yield return new($"(scaling) {publish}, 2 nodes", two.PublishRate, "N0", new Ceiling("1 node", one.PublishRate), null);
        yield return new($"(scaling) {poll}, 2 nodes", two.PollRate, "N0", new Ceiling("1 node", one.PollRate), null);
        yield return new($"(scaling) {push}, 2 nodes", two.PushRate, "N0", new Ceiling("1 node", one.PushRate), null);
    }

    /// <summary>The same client and concurrency as the publishers, against the bare Kestrel sink in its own process.</summary>
    internal static async Task<double> MeasureKestrelAsync(LoadOptions options, int concurrency, List<string> details)
    {
        await using var sink = await KestrelSink.StartAsync();
        CpuSnapshot? start = null;
        CpuSplit? cpu = null;
        var result = await ClosedLoop.RunForAsync(
            concurrency,
            sink.PostAsync,
            options.WarmUp,
            options.Window,
            () =>
            {
                start = sink.Cpu();
                return Task.CompletedTask;
            },
            () =>
            {
                cpu = sink.Cpu().Since(start!);
                return Task.CompletedTask;
            });
        details.Add(Invariant($"bare Kestrel, {concurrency} concurrent: {result.Rate:N0}/s, p50 {result.Percentile(0.5):F2} ms, p99 {result.Percentile(0.99):F2} ms, {result.Failed} failed; {cpu} (\"server\" = the sink), {cpu!.ServerMicrosecondsPer(result.Rate, "request")}"));
        return result.Rate;
    }

    private static async Task<ServerRun> RunServerAsync(LoadOptions options, string temp, string algorithm, PushReceiver receiver, bool publishAndPoll, bool push, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine($"server, {algorithm} ...");
        var (started, adminToken) = await ServerProcess.StartAsync(temp, algorithm.ToLowerInvariant(), algorithm);
        await using var server = started;
        await using var memory = new MemoryWatch(server.ProcessId);
        using var ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);
        var run = new ServerRun();

        if (publishAndPoll)
        {
            // (a) and (b): 64 publishers, one poll stream subscribed, so every event also gets a delivery entry.
            var pollStream = await ssf.CreateStreamAsync(pushUrl: null);
            (long Commits, long Writes) countersAtStart = default, countersAtEnd = default;
            CpuSnapshot? cpuAtStart = null;
            CpuSplit? cpu = null;
            var publish = await ClosedLoop.RunForAsync(
                options.Publishers,
                ssf.PublishAsync,
                options.WarmUp,
                options.Window,
                async () =>
                {
                    countersAtStart = await ssf.StoreCountersAsync();
                    cpuAtStart = ProcessProbe.Cpu(server.ProcessId);

                    // For bench/profile/stages.py, which records the server from this line on.
                    output.WriteLine(Invariant($"  profile window: publish, server pid {server.ProcessId}, {options.Seconds} s"));
                },
                async () =>
                {
                    cpu = ProcessProbe.Cpu(server.ProcessId).Since(cpuAtStart!);
                    countersAtEnd = await ssf.StoreCountersAsync();
                });
            run.PublishRate = publish.Rate;
            run.PublishCpuMicroseconds = cpu!.ServerCores * 1e6 / publish.Rate;
            var commits = countersAtEnd.Commits - countersAtStart.Commits;
            var writes = countersAtEnd.Writes - countersAtStart.Writes;
            run.CommitsPerEvent = (double)commits / publish.Completed;
            details.Add(Invariant($"publish ({algorithm}): {publish.Completed:N0} events in {publish.Elapsed.TotalSeconds:F1} s = {publish.Rate:N0}/s, p50 {publish.Percentile(0.5):F1} ms, p99 {publish.Percentile(0.99):F1} ms, {publish.Failed} failed{Failure(publish)}; {commits:N0} commits for {writes:N0} writes ({(double)writes / Math.Max(commits, 1):F1} writes per commit); {cpu}, {cpu!.ServerMicrosecondsPer(publish.Rate, "event")}"));
            output.WriteLine($"  {details[^1]}");

            // (c) Top the poll backlog up to the size asked for (and the warm-up's share), warm the poll
            // path up with small polls, then drain the rest in batches with acknowledgements.
            var backlog = publish.AllCompleted;
            if (backlog < options.PollEvents + (PollWarmUpPolls * PollWarmUpBatch))
            {
                var topUp = await ClosedLoop.RunCountAsync(options.Publishers, options.PollEvents + (PollWarmUpPolls * PollWarmUpBatch) - backlog, ssf.PublishAsync);
                backlog += topUp.Completed;
            }

            backlog -= await ssf.DrainAsync(pollStream, PollWarmUpBatch, PollWarmUpPolls);
            await Task.Delay(JitSettle);
            output.WriteLine(Invariant($"  draining {backlog:N0} SETs ..."));
            var drainCpu = ProcessProbe.Cpu(server.ProcessId);
            var drainCounters = await ssf.StoreCountersAsync();
            var drainWatch = Stopwatch.StartNew();
            var drained = await ssf.DrainAsync(pollStream, PollBatch);
            drainWatch.Stop();
            var drainCpuSplit = ProcessProbe.Cpu(server.ProcessId).Since(drainCpu);
            var drainCommits = (await ssf.StoreCountersAsync()).Commits - drainCounters.Commits;
            run.PollRate = drained / drainWatch.Elapsed.TotalSeconds;
            details.Add(Invariant($"poll drain ({algorithm}): {drained:N0} SETs of {backlog:N0} published in {drainWatch.Elapsed.TotalSeconds:F2} s = {run.PollRate:N0}/s, {drainCommits:N0} commits; {drainCpuSplit}, {drainCpuSplit.ServerMicrosecondsPer(run.PollRate, "SET")}"));
            output.WriteLine($"  {details[^1]}");
            await ssf.DeleteStreamAsync(pollStream);
        }

        if (push)
        {
            await MeasurePushAsync(options, algorithm, server, ssf, receiver, run, details);
        }

        // (e) Memory: the kernel's high-water mark over the whole life of the process, and the highest sample.
        run.PeakMemory = memory.HighWaterMark;
        details.Add(Invariant($"server memory ({algorithm}): VmHWM {memory.HighWaterMark / MegaByte:N0} MB, highest VmRSS sampled every 100 ms {memory.PeakRss / MegaByte:N0} MB"));
        output.WriteLine($"  {details[^1]}");
        return run;
    }

    /// <summary>
    /// (d) Push: a warm-up run of live pushes; then a paused push stream holds a backlog, and enabling
    /// it starts the worker, timed at the receiver from the first push to the last.
    /// </summary>
    private static async Task MeasurePushAsync(LoadOptions options, string algorithm, ChildProcess server, SsfClient ssf, PushReceiver receiver, ServerRun run, List<string> details)
    {
        var output = Console.Out;
        var pushStream = await ssf.CreateStreamAsync(receiver.Url);
        var warmedUp = receiver.Expect(PushWarmUpEvents);
        var warm = await ClosedLoop.RunCountAsync(options.Publishers, PushWarmUpEvents, ssf.PublishAsync);
        if (warm.Failed > 0)
        {
            // Else the wait below would only time out, saying nothing of why.
            throw new InvalidOperationException(Invariant($"{warm.Failed:N0} of the push warm-up's publishes failed{Failure(warm)}."));
        }

        await warmedUp.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(JitSettle);
        await ssf.SetStatusAsync(pushStream, "paused");
        var prepublish = await ClosedLoop.RunCountAsync(options.Publishers, options.PushEvents, ssf.PublishAsync);
        run.BacklogPublishRate = prepublish.Rate;
        details.Add(Invariant($"publish into a paused push stream ({algorithm}): {prepublish.Completed:N0} events = {prepublish.Rate:N0}/s, p50 {prepublish.Percentile(0.5):F1} ms, {prepublish.Failed} failed{Failure(prepublish)}"));
        output.WriteLine($"  {details[^1]}");

        output.WriteLine(Invariant($"  pushing {prepublish.Completed:N0} SETs ..."));
        var arrived = receiver.Expect(prepublish.Completed);
        var pushCounters = await ssf.StoreCountersAsync();
        var pushCpu = ProcessProbe.Cpu(server.ProcessId);
        await ssf.SetStatusAsync(pushStream, "enabled");
        var timeout = TimeSpan.FromSeconds(60 + (prepublish.Completed / 1000.0));
        var complete = await Task.WhenAny(arrived, Task.Delay(timeout)) == arrived;
        var pushCpuSplit = ProcessProbe.Cpu(server.ProcessId).Since(pushCpu);
        var pushCommits = (await ssf.StoreCountersAsync()).Commits - pushCounters.Commits;
        run.PushRate = receiver.Count / receiver.FirstToLast.TotalSeconds;
        details.Add(Invariant($"push ({algorithm}): {receiver.Count:N0} of {prepublish.Completed:N0} SETs{(complete ? "" : $" (timed out after {timeout.TotalSeconds:0} s)")} from first to last push in {receiver.FirstToLast.TotalSeconds:F2} s = {run.PushRate:N0}/s, {pushCommits:N0} commits; {pushCpuSplit}, {pushCpuSplit.ServerMicrosecondsPer(run.PushRate, "SET")}"));
        output.WriteLine($"  {details[^1]}");
    }

    internal static string Failure(LoopResult result) => result.FirstError is { } error ? $" (first: {error})" : "";

    /// <summary>The figures of one server process; NaN for what this run did not measure.</summary>
    private sealed class ServerRun
    {
        public double PublishRate { get; set; } = double.NaN;

        public double CommitsPerEvent { get; set; } = double.NaN;

        public double PublishCpuMicroseconds { get; set; } = double.NaN;

        public double PollRate { get; set; } = double.NaN;

        public double BacklogPublishRate { get; set; } = double.NaN;

        public double PushRate { get; set; } = double.NaN;

        public double PeakMemory { get; set; } = double.NaN;
    }
}
