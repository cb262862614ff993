using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Push ingest (RFC 8935) on an inbound stream: the senders push SETs signed before the window, each
/// waiting for the durable 202; the server verifies each against the source's JWKS, appends it and
/// routes it to one poll stream (re-issued there, as a published event is). Then the same at half
/// the rate reached, paced in an open loop, for the latency at a load the server keeps up with; and,
/// once the server has stopped, the bare Kestrel sink paced at that rate by the same generator: the
/// latency of loopback HTTP and the generator alone, the floor that p99 is held against.
/// </summary>
internal static class IngestPhase
{
    private const int WarmUpSets = 20_000;

    public static async Task<IngestResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var result = await RunServerAsync(options, temp, details);
        await using var sink = await KestrelSink.StartAsync();
        await OpenLoop.RunAsync(result.PacedRate, options.WarmUp, _ => sink.PostAsync());
        var cpuAtStart = sink.Cpu();
        var floor = await OpenLoop.RunAsync(result.PacedRate, options.Window, _ => sink.PostAsync());
        details.Add(Invariant($"bare Kestrel paced at the same rate, {result.PacedRate:N0}/s open loop: p50 {floor.Percentile(0.5):F2} ms, p99 {floor.Percentile(0.99):F2} ms, max {floor.Percentile(1):F1} ms, {floor.Failed} failed{LoadCommand.Failure(floor)}; {sink.Cpu().Since(cpuAtStart)} (\"server\" = the sink)"));
        Console.Out.WriteLine($"  {details[^1]}");
        return result with { PacedFloorP99 = floor.Percentile(0.99) };
    }

    private static async Task<IngestResult> RunServerAsync(LoadOptions options, string temp, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine("push ingest ...");
        await using var rig = await InboundRig.StartAsync(temp, "ingest");
        await rig.Ssf.CreateStreamAsync(pushUrl: null);
        var audience = rig.Stream.Audience;

        output.WriteLine(Invariant($"  signing {options.Presign:N0} SETs before the window ..."));
        var pool = TokenPool.Presign(rig.Source, audience, options.Presign);

        // As the end-to-end part does: the JIT's tiering is a start-up cost, not a cost per SET, and on a
        // busy machine it was still a third of the server's CPU in the window after a few seconds' warm-up.
        output.WriteLine(Invariant($"  {WarmUpSets:N0} SETs to warm up ..."));
        await ClosedLoop.RunCountAsync(options.Publishers, WarmUpSets, () => rig.Pusher.PushAsync(pool.Next()));
        await Task.Delay(LoadCommand.JitSettle);
        (long Commits, long Writes) countersAtStart = default, countersAtEnd = default;
        CpuSnapshot? cpuAtStart = null;
        CpuSplit? cpu = null;
        long signedAtStart = 0, signedAtEnd = 0;
        var closed = await ClosedLoop.RunForAsync(
            options.Publishers,
            () => rig.Pusher.PushAsync(pool.Next()),
            options.WarmUp,
            options.Window,
            async () =>
            {
                countersAtStart = await rig.Ssf.StoreCountersAsync();
                signedAtStart = pool.SignedOnTheSpot;
                cpuAtStart = rig.Cpu();
                output.WriteLine(Invariant($"  window of {options.Window.TotalSeconds:F0} s begins (server process {rig.Server.ProcessId})"));
                output.WriteLine(Invariant($"  profile window: ingest, server pid {rig.Server.ProcessId}, {options.Window.TotalSeconds:F0} s"));
            },
            async () =>
            {
                cpu = rig.Cpu().Since(cpuAtStart!);
                signedAtEnd = pool.SignedOnTheSpot;
                countersAtEnd = await rig.Ssf.StoreCountersAsync();
            });
        var commits = countersAtEnd.Commits - countersAtStart.Commits;
        var writes = countersAtEnd.Writes - countersAtStart.Writes;
        details.Add(Invariant($"push ingest, {options.Publishers} senders: {closed.Completed:N0} SETs in {closed.Elapsed.TotalSeconds:F1} s = {closed.Rate:N0}/s, p50 {closed.Percentile(0.5):F1} ms, p99 {closed.Percentile(0.99):F1} ms, {closed.Failed} failed{LoadCommand.Failure(closed)}; {commits:N0} commits for {writes:N0} writes ({(double)writes / Math.Max(commits, 1):F1} writes per commit); {signedAtEnd - signedAtStart:N0} SETs signed in the window (pool ran out); {cpu}, {cpu!.ServerMicrosecondsPer(closed.Rate, "SET")}"));
        output.WriteLine($"  {details[^1]}");

        var rate = closed.Rate / 2;
        var pacedPool = TokenPool.Presign(rig.Source, audience, (int)(rate * options.Seconds) + 1);
        await Task.Delay(LoadCommand.JitSettle);
        var pacedCpuAtStart = rig.Cpu();
        var paced = await OpenLoop.RunAsync(rate, options.Window, _ => rig.Pusher.PushAsync(pacedPool.Next()));
        var pacedCpu = rig.Cpu().Since(pacedCpuAtStart);
        details.Add(Invariant($"push ingest paced at half that, {rate:N0}/s open loop: {paced.Completed:N0} SETs, p50 {paced.Percentile(0.5):F2} ms, p99 {paced.Percentile(0.99):F2} ms, max {paced.Percentile(1):F1} ms (from each SET's scheduled send), {paced.Failed} failed{LoadCommand.Failure(paced)}; {pacedCpu}, {pacedCpu.ServerMicrosecondsPer(rate, "SET")}"));
        output.WriteLine($"  {details[^1]}");
        return new IngestResult(closed.Rate, rate, paced.Percentile(0.99));
    }
}

/// <summary>The push ingest figures: the closed-loop rate, the p99 at the paced rate, and bare Kestrel's p99 at that rate.</summary>
internal sealed record IngestResult(double Rate, double PacedRate, double PacedP99)
{
    public double PacedFloorP99 { get; init; } = double.NaN;

    public static readonly IngestResult None = new(double.NaN, double.NaN, double.NaN);
}
