using System.Globalization;
using System.Diagnostics;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// End to end: the generator pushes into an inbound stream, the server verifies, appends and routes
/// each SET to one outbound push stream, and pushes it to a local receiver. First the sustained rate,
/// the senders in a closed loop over a long window, counted at the receiver; then paced at half that
/// rate (or at <c>--e2e-rate</c>), timing each SET from its send to its arrival at the receiver. SETs are signed as they
/// are sent (a long run needs millions), so the generator's signing is in its CPU share.
/// </summary>
internal static class EndToEndPhase
{
    private const int WarmUpEvents = 20_000;
    private const double MegaByte = 1024 * 1024;
    private static readonly TimeSpan Progress = TimeSpan.FromSeconds(60);

    public static async Task<EndToEndResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine("end to end ...");
        await using var rig = await InboundRig.StartAsync(temp, "e2e");
        await using var receiver = await TrackingReceiver.StartAsync();
        await rig.Ssf.CreateStreamAsync(receiver.Url(0));
        int[] path = [0];

        var warm = await ClosedLoop.RunCountAsync(options.Publishers, WarmUpEvents, () => rig.SignAndPushAsync("warm"));
        await receiver.WaitForAsync(path, warm.Completed, TimeSpan.FromSeconds(120));
        await Task.Delay(LoadCommand.JitSettle);

        // The sustained rate over the long window, counted where the SETs arrive.
        receiver.Reset();
        long receivedAtStart = 0, receivedAtEnd = 0;
        CpuSnapshot? sustainedCpuAtStart = null;
        CpuSplit? sustainedCpu = null;
        using var progress = new CancellationTokenSource();
        Task? progressLoop = null;
        var sustained = await ClosedLoop.RunForAsync(
            options.Publishers,
            () => rig.SignAndPushAsync("load"),
            options.WarmUp,
            TimeSpan.FromSeconds(options.EndToEndSeconds),
            () =>
            {
                receivedAtStart = receiver.Count(0);
                sustainedCpuAtStart = rig.Cpu();
                progressLoop = ReportProgressAsync(rig, receiver, progress.Token);
                output.WriteLine(Invariant($"  sustained window of {options.EndToEndSeconds} s begins (server process {rig.Server.ProcessId})"));
                output.WriteLine(Invariant($"  profile window: e2e, server pid {rig.Server.ProcessId}, {options.EndToEndSeconds} s"));
                return Task.CompletedTask;
            },
            () =>
            {
                receivedAtEnd = receiver.Count(0);
                sustainedCpu = rig.Cpu().Since(sustainedCpuAtStart!);
                return Task.CompletedTask;
            });
        await progress.CancelAsync();
        await progressLoop!;
        var behind = sustained.AllCompleted - receiver.Count(0);
        var drain = Stopwatch.StartNew();
        var drained = await receiver.WaitForAsync(path, sustained.AllCompleted, TimeSpan.FromSeconds(Math.Max(120, behind / 1000.0)));
        drain.Stop();
        var delivered = (receivedAtEnd - receivedAtStart) / sustained.Elapsed.TotalSeconds;
        details.Add(Invariant($"end to end sustained, {options.Publishers} senders, {sustained.Elapsed.TotalSeconds:F0} s: ingested {sustained.Rate:N0}/s (p50 {sustained.Percentile(0.5):F1} ms, p99 {sustained.Percentile(0.99):F1} ms, {sustained.Failed} failed{LoadCommand.Failure(sustained)}), delivered {delivered:N0}/s; {behind:N0} SETs not yet delivered when the senders stopped, {(drained ? "delivered" : "NOT all delivered")} {drain.Elapsed.TotalSeconds:F1} s later; {sustainedCpu}, {sustainedCpu!.ServerMicrosecondsPer(delivered, "SET delivered")}"));
        output.WriteLine($"  {details[^1]}");

        // Delivery latency paced at half the sustained rate (issue 23), or at --e2e-rate: a load the server keeps up with.
        var rate = options.EndToEndRate > 0 ? options.EndToEndRate : Math.Max(1, (int)(Math.Min(delivered, sustained.Rate) / 2));
        await Task.Delay(LoadCommand.JitSettle);
        var log = new SendLog(((long)rate * options.EndToEndLatencySeconds) + 1);
        receiver.Log = log;
        receiver.Reset();
        var cpuAtStart = rig.Cpu();
        var paced = await OpenLoop.RunAsync(
            rate,
            TimeSpan.FromSeconds(options.EndToEndLatencySeconds),
            index =>
            {
                var token = rig.Source.Sign(rig.Stream.Audience, SendLog.Txn(index));
                log.Sent(index);
                return rig.Pusher.PushAsync(token);
            });
        var allArrived = await receiver.WaitForAsync(path, paced.Completed, TimeSpan.FromSeconds(60));
        var cpu = rig.Cpu().Since(cpuAtStart);
        receiver.Log = null;
        var (latencies, missing) = log.Latencies();
        var p99 = LoopResult.Percentile(latencies, 0.99);
        details.Add(Invariant($"end to end paced at {rate:N0}/s for {options.EndToEndLatencySeconds} s: {latencies.Length:N0} SETs delivered of {paced.Completed:N0} accepted{(allArrived ? "" : $" ({missing:N0} never arrived)")}; send to delivery p50 {LoopResult.Percentile(latencies, 0.5):F1} ms, p99 {p99:F1} ms, max {LoopResult.Percentile(latencies, 1):F1} ms; ingest (from scheduled send to 202) p50 {paced.Percentile(0.5):F1} ms, p99 {paced.Percentile(0.99):F1} ms, {paced.Failed} failed{LoadCommand.Failure(paced)}; {cpu}, {cpu.ServerMicrosecondsPer(rate, "SET")}"));
        output.WriteLine($"  {details[^1]}");
        details.Add(Invariant($"end to end paced, delivery p99 of each 5 s sent (ms): {string.Join(", ", log.SliceP99(rate * 5L).Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}"));
        output.WriteLine($"  {details[^1]}");

        details.Add(Invariant($"server memory (end to end): VmHWM {rig.Memory.HighWaterMark / MegaByte:N0} MB, highest VmRSS sampled every 100 ms {rig.Memory.PeakRss / MegaByte:N0} MB"));
        output.WriteLine($"  {details[^1]}");
        return new EndToEndResult(Math.Min(delivered, sustained.Rate), rate, p99, rig.Memory.HighWaterMark / MegaByte);
    }

    /// <summary>A line a minute through a long window: SETs delivered so far, and the server's memory.</summary>
    private static async Task ReportProgressAsync(InboundRig rig, TrackingReceiver receiver, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(Progress);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Console.Out.WriteLine(Invariant($"    {started.Elapsed.TotalSeconds:F0} s: {receiver.Count(0):N0} delivered, server VmRSS {ProcessProbe.Memory(rig.Server.ProcessId).Rss / MegaByte:N0} MB"));
            }
        }
        catch (OperationCanceledException)
        {
            // The window is over.
        }
    }
}

/// <summary>The end-to-end figures: the sustained rate (the lower of ingested and delivered), the paced rate and its delivery p99, and the server's peak memory in MB.</summary>
internal sealed record EndToEndResult(double Rate, double PacedRate, double PacedP99, double PeakMegabytes)
{
    public static readonly EndToEndResult None = new(double.NaN, double.NaN, double.NaN, double.NaN);
}
