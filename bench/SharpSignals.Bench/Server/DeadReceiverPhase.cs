using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// One dead receiver of ten: nine outbound push streams to live receivers, and a tenth to a port
/// nobody listens on (connection refused) or to a listener that never answers (each push waits for
/// the server's time-out); against the nine alone (what the dead one costs them), and with the tenth
/// alive (what a live tenth costs them). Each case runs on a fresh server: a warm-up with live
/// pushes, then the streams are paused, a backlog is pushed in through the inbound stream, and the
/// streams are enabled; the nine live receivers' throughput is timed from their first arrival to
/// their last.
/// </summary>
internal static class DeadReceiverPhase
{
    private const int Streams = 10;
    private const int WarmUpEvents = 2_000;
    private static readonly int[] Live = Enumerable.Range(0, Streams - 1).ToArray();

    public static async Task<DeadReceiverResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        Console.Out.WriteLine("one dead receiver of ten ...");
        await using var receiver = await TrackingReceiver.StartAsync();
        await using var hanging = new HangingListener();
        var nine = await RunCaseAsync(options, temp, receiver, "nine streams only", null, details);
        var alive = await RunCaseAsync(options, temp, receiver, "all ten alive", receiver.Url(Streams - 1), details);
        var refused = await RunCaseAsync(options, temp, receiver, "tenth refusing connections", $"http://127.0.0.1:{ChildProcess.FreePort()}/push", details);
        var hang = await RunCaseAsync(options, temp, receiver, "tenth hanging", hanging.Url, details);
        return new DeadReceiverResult(nine, alive, refused, hang);
    }

    private static async Task<double> RunCaseAsync(LoadOptions options, string temp, TrackingReceiver receiver, string name, string? tenthUrl, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine($"  {name} ...");
        await using var rig = await InboundRig.StartAsync(temp, "dead-" + name.Replace(' ', '-'));
        var streams = new List<string>();
        foreach (var path in Live)
        {
            streams.Add(await rig.Ssf.CreateStreamAsync(receiver.Url(path)));
        }

        if (tenthUrl is not null)
        {
            streams.Add(await rig.Ssf.CreateStreamAsync(tenthUrl));
        }

        receiver.Reset();
        var warm = await ClosedLoop.RunCountAsync(options.Publishers, WarmUpEvents, () => rig.SignAndPushAsync("warm"));
        await receiver.WaitForAsync(Live, warm.Completed, TimeSpan.FromSeconds(120));
        foreach (var stream in streams)
        {
            await rig.Ssf.SetStatusAsync(stream, "paused");
        }

        await Task.Delay(LoadCommand.JitSettle);
        var backlog = await ClosedLoop.RunCountAsync(options.Publishers, options.DeadEvents, () => rig.SignAndPushAsync("load"));

        receiver.Reset();
        var cpuAtStart = rig.Cpu();
        foreach (var stream in streams)
        {
            await rig.Ssf.SetStatusAsync(stream, "enabled");
        }

        var timeout = TimeSpan.FromSeconds(60 + (Live.Length * backlog.Completed / 1000.0));
        var complete = await receiver.WaitForAsync(Live, backlog.Completed, timeout);
        var cpu = rig.Cpu().Since(cpuAtStart);
        var delivered = receiver.Total(Live);
        var span = receiver.FirstToLast(Live);
        var rate = delivered / span.TotalSeconds;
        details.Add(Invariant($"push streams, {name}: {backlog.Completed:N0} SETs pushed in ({backlog.Rate:N0}/s into {streams.Count} paused streams, {backlog.Failed} failed{LoadCommand.Failure(backlog)}); the nine live receivers got {delivered:N0}{(complete ? "" : $" (timed out after {timeout.TotalSeconds:0} s)")} in {span.TotalSeconds:F2} s = {rate:N0}/s (slowest {Live.Min(receiver.Count):N0}); the tenth got {receiver.Count(Streams - 1):N0}; {cpu}, {cpu.ServerMicrosecondsPer(rate, "SET delivered")}"));
        output.WriteLine($"  {details[^1]}");
        return rate;
    }
}

/// <summary>The nine live receivers' throughput (SETs/s) alone, and with the tenth alive, refusing connections, and hanging.</summary>
internal sealed record DeadReceiverResult(double NineOnly, double Alive, double Refused, double Hanging)
{
    public static readonly DeadReceiverResult None = new(double.NaN, double.NaN, double.NaN, double.NaN);
}
