using System.Diagnostics;
using Npgsql;
using SharpSignals.Tests.Support;
using SharpSignals.Tokens.Keys;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The cluster (docs/ARCHITECTURE.md, "Cluster"): publish, poll drain and push with one node and then with two,
/// each time on a fresh database of the same PostgreSQL server, beside that server's raw commit rates
/// measured in the same run. The nodes are real server processes sharing one issuer; the publishers
/// take the nodes in turn, as a round-robin load balancer would; each poll stream is drained by one
/// node, the streams in parallel; the push streams are split between the nodes by their leases.
/// With one node the same streams and the same concurrency are used, so the two runs differ only in
/// the number of nodes.
/// </summary>
internal static class ClusterPhase
{
    /// <summary>Poll streams subscribed while publishing, one per node of the larger run, drained in parallel.</summary>
    private const int PollStreams = 2;

    private static readonly int[] NodeCounts = [1, PollStreams];

    /// <summary>
    /// A pause after streams are made or changed on one node, for every other node to have them in
    /// its catalog: a notice, or at the latest the 2 s check (docs/CLUSTER.md).
    /// </summary>
    private static readonly TimeSpan CatalogSettle = TimeSpan.FromSeconds(3);

    public static async Task<ClusterResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine("cluster ...");
        var postgres = await StartPostgresAsync(options, details);
        var ceilings = await MeasureCeilingsAsync(postgres, options, details);
        await using var receiver = await TrackingReceiver.StartAsync();
        var runs = new List<ClusterRun>();
        foreach (var nodes in NodeCounts)
        {
            runs.Add(await RunNodesAsync(options, temp, postgres, nodes, receiver, details));
        }

        return new ClusterResult(ceilings, runs[0], runs[1]);
    }

    /// <summary>
    /// The server named by <c>--postgres</c>, or a throw-away one made as the tests make theirs, with
    /// the durability the tests turn off put back: a commit is what this part measures.
    /// </summary>
    private static async Task<PostgresTestServer> StartPostgresAsync(LoadOptions options, List<string> details)
    {
        // PostgresTestServer takes a given server from its environment variable, else makes its own.
        Environment.SetEnvironmentVariable(PostgresTestServer.EnvironmentVariable, options.Postgres);
        var postgres = PostgresTestServer.Instance;
        await using var dataSource = NpgsqlDataSource.Create(postgres.AdminConnectionString);
        if (options.Postgres is null)
        {
            foreach (var setting in new[] { "fsync", "full_page_writes", "synchronous_commit" })
            {
                await using var alter = dataSource.CreateCommand($"ALTER SYSTEM SET {setting} = on");
                await alter.ExecuteNonQueryAsync();
            }

            await using var reload = dataSource.CreateCommand("SELECT pg_reload_conf()");
            await reload.ExecuteNonQueryAsync();

            // The postmaster passes a reload on to its children asynchronously.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            NpgsqlConnection.ClearAllPools();
        }

        await using var show = dataSource.CreateCommand(
            "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method'), current_setting('shared_buffers')");
        await using var reader = await show.ExecuteReaderAsync();
        await reader.ReadAsync();
        var source = options.Postgres is null ? "a throw-away server in a temporary directory, fsync turned back on" : "the server given by --postgres";
        details.Add($"PostgreSQL: {source}; {reader.GetString(0).Split(" on ")[0]}, fsync {reader.GetString(1)}, synchronous_commit {reader.GetString(2)}, wal_sync_method {reader.GetString(3)}, shared_buffers {reader.GetString(4)}");
        Console.Out.WriteLine($"  {details[^1]}");
        if (reader.GetString(1) != "on" || reader.GetString(2) != "on")
        {
            throw new InvalidOperationException("The cluster part measures durable commits, and this PostgreSQL server does not flush them (fsync and synchronous_commit must be on).");
        }

        return postgres;
    }

    /// <summary>The raw commit rates of the same server, on a database of their own, before any node runs.</summary>
    private static async Task<ClusterCeilings> MeasureCeilingsAsync(PostgresTestServer postgres, LoadOptions options, List<string> details)
    {
        var output = Console.Out;
        var window = TimeSpan.FromSeconds(Math.Clamp(options.Seconds / 5.0, 1, 3));
        var database = postgres.CreateDatabase();
        try
        {
            async Task<Ceiling> MeasureAsync(string name, int rowsPerCommit, int connections)
            {
                var ceiling = new Ceiling(name, await Ceilings.PostgresInsertRateAsync(database, rowsPerCommit, connections, window));
                output.WriteLine(Invariant($"  {ceiling.Name}: {ceiling.Value:N0}/s"));
                return ceiling;
            }

            return new ClusterCeilings(
                await MeasureAsync("PostgreSQL durable insert, 1 row per commit, 1 connection", 1, 1),
                await MeasureAsync($"PostgreSQL durable insert, 1 row per commit, {options.Publishers} connections", 1, options.Publishers),
                await MeasureAsync("PostgreSQL durable insert rows, 100 per commit", 100, 1),
                await MeasureAsync($"PostgreSQL durable insert rows, {LoadCommand.PollBatch} per commit", LoadCommand.PollBatch, 1));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            postgres.DropDatabase(database);
        }
    }

    private static async Task<ClusterRun> RunNodesAsync(LoadOptions options, string temp, PostgresTestServer postgres, int nodes, TrackingReceiver receiver, List<string> details)
    {
        Console.Out.WriteLine($"  {nodes} node{(nodes == 1 ? "" : "s")} on one database ...");
        var database = postgres.CreateDatabase();
        var processes = new List<ChildProcess>();
        var clients = new List<SsfClient>();
        try
        {
            var ports = Enumerable.Range(0, nodes).Select(_ => ChildProcess.FreePort()).ToList();
            var issuer = $"http://127.0.0.1:{ports[0]}";
            for (var i = 0; i < nodes; i++)
            {
                // One after the other: the first creates the schema and writes the admin token.
                processes.Add(await ServerProcess.StartAsync(
                    temp,
                    NodeDirectory(nodes, i),
                    SigningAlgorithms.ES256,
                    ports[i],
                    issuer,
                    ["--SharpSignals:Storage=postgres", $"--ConnectionStrings:Postgres={database}", $"--SharpSignals:Cluster:NodeId={NodeId(i)}"]));
            }

            var first = await SsfClient.RegisterAsync(processes[0].BaseAddress, await ServerProcess.ReadAdminTokenAsync(temp, NodeDirectory(nodes, 0)));
            clients.Add(first);
            clients.AddRange(processes.Skip(1).Select(p => first.ForNode(p.BaseAddress)));
            var cluster = new Cluster(database, processes, clients, await WatchCpuAsync(database, processes));
            var run = new ClusterRun(nodes);
            await MeasurePublishAndPollAsync(options, cluster, run, details);
            await MeasurePushAsync(options, cluster, receiver, run, details);
            return run;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
            postgres.DropDatabase(database);
        }
    }

    /// <summary>
    /// Publishers spread over the nodes into two poll streams, with commits and WAL flushes per event;
    /// then the streams' backlog drained in batches with acknowledgement, each stream by one node.
    /// </summary>
    private static async Task MeasurePublishAndPollAsync(LoadOptions options, Cluster cluster, ClusterRun run, List<string> details)
    {
        var output = Console.Out;
        var label = run.Label;
        var pollStreams = new List<string>();
        for (var i = 0; i < PollStreams; i++)
        {
            pollStreams.Add(await cluster.Clients[0].CreateStreamAsync(pushUrl: null));
        }

        await Task.Delay(CatalogSettle);
        DatabaseCounters countersAtStart = default, countersAtEnd = default;
        ClusterCpuSnapshot? cpuAtStart = null;
        ClusterCpuSplit? cpu = null;
        var publish = await ClosedLoop.RunForAsync(
            options.Publishers,
            cluster.PublishAsync,
            options.WarmUp,
            options.Window,
            async () =>
            {
                countersAtStart = await cluster.CountersAsync();
                cpuAtStart = cluster.Cpu.Snapshot();
            },
            async () =>
            {
                cpu = cluster.Cpu.Since(cpuAtStart!);
                countersAtEnd = await cluster.CountersAsync();
            });
        var window = countersAtEnd - countersAtStart;
        run.PublishRate = publish.Rate;
        run.CommitsPerEvent = (double)window.Commits / publish.Completed;
        run.WalFlushesPerEvent = (double)window.WalFlushes / publish.Completed;
        details.Add(Invariant($"cluster publish, {label}, {options.Publishers} publishers taking the nodes in turn, {PollStreams} poll streams: {publish.Completed:N0} events in {publish.Elapsed.TotalSeconds:F1} s = {publish.Rate:N0}/s, p50 {publish.Percentile(0.5):F1} ms, p99 {publish.Percentile(0.99):F1} ms, {publish.Failed} failed{LoadCommand.Failure(publish)}; {window.Commits:N0} node commits for {window.Writes:N0} writes ({(double)window.Writes / Math.Max(window.Commits, 1):F1} writes per commit), {window.WalFlushes:N0} WAL flushes, {window.WalBytes / (double)publish.Completed:N0} WAL bytes per event; {cpu}, {cpu!.MicrosecondsPer("node", publish.Rate, "event")}, {cpu.MicrosecondsPer("PostgreSQL", publish.Rate, "event")}"));
        output.WriteLine($"    {details[^1]}");

        // Top each stream's backlog up to its share of --poll-events and the warm-up, warm each node's
        // poll path up on the stream it drains, then drain every stream at once, each from its node.
        var perStream = publish.AllCompleted;
        var wanted = (options.PollEvents / PollStreams) + (LoadCommand.PollWarmUpPolls * LoadCommand.PollWarmUpBatch);
        if (perStream < wanted)
        {
            perStream += (await ClosedLoop.RunCountAsync(options.Publishers, wanted - perStream, cluster.PublishAsync)).Completed;
        }

        await Task.WhenAll(pollStreams.Select((stream, i) => cluster.PollerOf(i).DrainAsync(stream, LoadCommand.PollWarmUpBatch, LoadCommand.PollWarmUpPolls)));
        await Task.Delay(LoadCommand.JitSettle);
        output.WriteLine(Invariant($"    draining {PollStreams} streams ..."));
        var drainCountersAtStart = await cluster.CountersAsync();
        var drainCpuAtStart = cluster.Cpu.Snapshot();
        var started = Stopwatch.GetTimestamp();
        var drains = await Task.WhenAll(pollStreams.Select(async (stream, i) =>
        {
            var drained = await cluster.PollerOf(i).DrainAsync(stream, LoadCommand.PollBatch);
            return (Drained: drained, Elapsed: Stopwatch.GetElapsedTime(started));
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var drainCpu = cluster.Cpu.Since(drainCpuAtStart);
        var drainCommits = (await cluster.CountersAsync() - drainCountersAtStart).Commits;
        var total = drains.Sum(d => d.Drained);
        run.PollRate = total / elapsed.TotalSeconds;
        var perDrain = string.Join(", ", drains.Select((d, i) => Invariant($"stream {i} by {NodeId(i % run.Nodes)} {d.Drained:N0} in {d.Elapsed.TotalSeconds:F2} s")));
        details.Add(Invariant($"cluster poll drain, {label}, {PollStreams} streams at once: {total:N0} SETs in {elapsed.TotalSeconds:F2} s = {run.PollRate:N0}/s ({perDrain}), {drainCommits:N0} node commits; {drainCpu}, {drainCpu.MicrosecondsPer("node", run.PollRate, "SET")}, {drainCpu.MicrosecondsPer("PostgreSQL", run.PollRate, "SET")}"));
        output.WriteLine($"    {details[^1]}");
        foreach (var stream in pollStreams)
        {
            await cluster.Clients[0].DeleteStreamAsync(stream);
        }
    }

    /// <summary>
    /// Push streams to local receivers, split between the nodes by lease: a warm-up of live pushes,
    /// then a backlog held by pausing the streams, timed from the first arrival to the last once
    /// they are enabled (each through the node it is meant for, so that each node hears at once).
    /// </summary>
    private static async Task MeasurePushAsync(LoadOptions options, Cluster cluster, TrackingReceiver receiver, ClusterRun run, List<string> details)
    {
        var output = Console.Out;
        var streamCount = options.ClusterPushStreams;
        var paths = Enumerable.Range(0, streamCount).ToArray();
        var streams = new List<string>();
        foreach (var path in paths)
        {
            streams.Add(await cluster.Clients[0].CreateStreamAsync(receiver.Url(path)));
        }

        await Task.Delay(CatalogSettle);
        receiver.Reset();
        var warm = await ClosedLoop.RunCountAsync(options.Publishers, Math.Max(1, LoadCommand.PushWarmUpEvents / streamCount), cluster.PublishAsync);
        await receiver.WaitForAsync(paths, warm.Completed, TimeSpan.FromSeconds(60));
        await Task.Delay(LoadCommand.JitSettle);
        await SetStatusAsync(cluster, streams, "paused");

        // --push-events is the backlog of all the streams together: each event goes to every stream.
        var backlog = await ClosedLoop.RunCountAsync(options.Publishers, Math.Max(1, options.PushEvents / streamCount), cluster.PublishAsync);
        output.WriteLine(Invariant($"    pushing {backlog.Completed * streamCount:N0} SETs on {streamCount} streams ..."));
        receiver.Reset();
        var countersAtStart = await cluster.CountersAsync();
        var cpuAtStart = cluster.Cpu.Snapshot();
        await SetStatusAsync(cluster, streams, "enabled");
        var timeout = TimeSpan.FromSeconds(60 + (backlog.Completed * streamCount / 1000.0));
        var complete = await receiver.WaitForAsync(paths, backlog.Completed, timeout);
        var cpu = cluster.Cpu.Since(cpuAtStart);
        var commits = (await cluster.CountersAsync() - countersAtStart).Commits;
        var holders = await cluster.LeaseHoldersAsync(streams);
        var delivered = receiver.Total(paths);
        var span = receiver.FirstToLast(paths);
        run.PushRate = delivered / span.TotalSeconds;
        run.Leases = string.Join("; ", holders.GroupBy(h => h.Value).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} streams {string.Join(", ", g.Select(h => streams.IndexOf(h.Key)).Order())}"));
        var unheld = streams.Count - holders.Count;
        details.Add(Invariant($"cluster push, {run.Label}, {streamCount} streams: {delivered:N0} of {backlog.Completed * streamCount:N0} SETs{(complete ? "" : $" (timed out after {timeout.TotalSeconds:0} s)")} from first to last arrival in {span.TotalSeconds:F2} s = {run.PushRate:N0}/s (slowest stream {paths.Min(receiver.Count):N0}), {commits:N0} node commits; leases: {run.Leases}{(unheld > 0 ? $", {unheld} streams held by no node" : "")}; {cpu}, {cpu.MicrosecondsPer("node", run.PushRate, "SET")}, {cpu.MicrosecondsPer("PostgreSQL", run.PushRate, "SET")}"));
        output.WriteLine($"    {details[^1]}");
    }

    private static async Task SetStatusAsync(Cluster cluster, List<string> streams, string status)
    {
        for (var i = 0; i < streams.Count; i++)
        {
            await cluster.PollerOf(i).SetStatusAsync(streams[i], status);
        }
    }

    /// <summary>The CPU of every node and, when the server runs on this machine, of PostgreSQL (found through the process serving this connection).</summary>
    private static async Task<ClusterCpu> WatchCpuAsync(string database, List<ChildProcess> processes)
    {
        var watched = processes.Select((p, i) => (NodeId(i), (Func<TimeSpan>)(() =>
        {
            p.ThrowIfExited();
            using var process = Process.GetProcessById(p.ProcessId);
            return process.TotalProcessorTime;
        }))).ToList();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        if (ProcessProbe.ParentOf(connection.ProcessID) is { } postmaster)
        {
            watched.Add(("PostgreSQL", () => ProcessProbe.TreeCpu(postmaster)));
        }

        return new ClusterCpu(watched);
    }

    private static string NodeId(int index) => $"node-{index}";

    private static string NodeDirectory(int nodes, int index) => $"cluster-{nodes}-{NodeId(index)}";

    /// <summary>The nodes of one run, a client of each, the database they share, and their CPU.</summary>
    private sealed class Cluster(string database, List<ChildProcess> processes, List<SsfClient> clients, ClusterCpu cpu)
    {
        private long _published;

        public List<SsfClient> Clients => clients;

        public ClusterCpu Cpu => cpu;

        /// <summary>The node that drains poll stream (or enables push stream) number <paramref name="index"/>.</summary>
        public SsfClient PollerOf(int index) => clients[index % clients.Count];

        /// <summary>One publish, on the next node in turn.</summary>
        public Task<string?> PublishAsync() => clients[(int)(Interlocked.Increment(ref _published) % clients.Count)].PublishAsync();

        /// <summary>Every node's commits and writes, and the server's WAL flushes and bytes (pg_stat_wal, which backends report within about a second).</summary>
        public async Task<DatabaseCounters> CountersAsync()
        {
            long commits = 0, writes = 0;
            foreach (var client in clients)
            {
                var (c, w) = await client.StoreCountersAsync();
                commits += c;
                writes += w;
            }

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT wal_sync, wal_bytes::bigint FROM pg_stat_wal", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new DatabaseCounters(commits, writes, reader.GetInt64(0), reader.GetInt64(1));
        }

        /// <summary>Which node holds each stream's push lease now (docs/ARCHITECTURE.md, "Cluster": one node pushes a stream at a time).</summary>
        public async Task<Dictionary<string, string>> LeaseHoldersAsync(IReadOnlyCollection<string> streams)
        {
            foreach (var process in processes)
            {
                process.ThrowIfExited();
            }

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT stream_id, node_id FROM stream_leases WHERE expires_at > now() AND stream_id = ANY(@streams)", connection);
            command.Parameters.AddWithValue("streams", streams.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            var holders = new Dictionary<string, string>(StringComparer.Ordinal);
            while (await reader.ReadAsync())
            {
                holders[reader.GetString(0)] = reader.GetString(1);
            }

            return holders;
        }
    }
}

/// <summary>Counters of the whole cluster at one instant: the nodes' commits and writes, and the server's WAL flushes and bytes.</summary>
internal readonly record struct DatabaseCounters(long Commits, long Writes, long WalFlushes, long WalBytes)
{
    public static DatabaseCounters operator -(DatabaseCounters end, DatabaseCounters start) =>
        new(end.Commits - start.Commits, end.Writes - start.Writes, end.WalFlushes - start.WalFlushes, end.WalBytes - start.WalBytes);
}

/// <summary>The figures of one cluster size; NaN for what was not measured.</summary>
internal sealed class ClusterRun(int nodes)
{
    public int Nodes => nodes;

    public string Label => nodes == 1 ? "1 node" : $"{nodes} nodes";

    public double PublishRate { get; set; } = double.NaN;

    public double CommitsPerEvent { get; set; } = double.NaN;

    public double WalFlushesPerEvent { get; set; } = double.NaN;

    public double PollRate { get; set; } = double.NaN;

    public double PushRate { get; set; } = double.NaN;

    /// <summary>Which node held which push stream's lease while the backlog was pushed.</summary>
    public string Leases { get; set; } = "";
}

/// <summary>The PostgreSQL server's raw durable commit rates, measured in the same run.</summary>
internal sealed record ClusterCeilings(Ceiling SingleRow, Ceiling SingleRowConcurrent, Ceiling Hundred, Ceiling Batch)
{
    public IEnumerable<Ceiling> All => [SingleRow, SingleRowConcurrent, Hundred, Batch];
}

/// <summary>The cluster part's figures: the ceilings, one node, two nodes.</summary>
internal sealed record ClusterResult(ClusterCeilings? Ceilings, ClusterRun OneNode, ClusterRun TwoNodes)
{
    public static readonly ClusterResult None = new(null, new ClusterRun(1), new ClusterRun(2));
}
