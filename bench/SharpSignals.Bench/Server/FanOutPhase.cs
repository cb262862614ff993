using System.Diagnostics;
using SharpSignals.Tokens.Keys;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Issue 23, §2 "fan-out": one event to 1, 100 and 1,000 streams of a project, each stream's SET
/// signed for it alone. A fresh server per size and delivery method: the streams are created through
/// the API, warmed up, then <see cref="SetsPerRun"/> SETs' worth of events are published by the run's
/// publishers (<c>--publishers</c>) and delivered, through poll streams drained in batches with ack,
/// or through push streams to one loopback receiver. The figure is delivered SETs a second from the first publish to the last
/// delivery, held against the raw ES256 sign rate on all cores measured in the same run.
/// </summary>
internal static class FanOutPhase
{
    public static readonly int[] Sizes = [1, 100, 1_000];

    /// <summary>SETs delivered per size: events × streams.</summary>
    private const long SetsPerRun = 20_000;

    /// <summary>SETs routed before the timed run, for the JIT.</summary>
    private const long WarmUpSets = 1_000;

    /// <summary>How long the part waits after its profile window line, for a profiler to attach.</summary>
    private static readonly TimeSpan ProfilerAttach = TimeSpan.FromSeconds(1);

    /// <summary>Streams drained at once.</summary>
    private const int Drainers = 8;

    public static async Task<FanOutResult> RunAsync(LoadOptions options, string temp, PushReceiver receiver, List<string> details)
    {
        var poll = new List<FanOutSize>();
        var push = new List<FanOutSize>();
        foreach (var streams in Sizes)
        {
            poll.Add(await RunAsync(temp, streams, options.Publishers, receiver: null, details));
            push.Add(await RunAsync(temp, streams, options.Publishers, receiver, details));
        }

        return new FanOutResult(poll, push);
    }

    private static async Task<FanOutSize> RunAsync(string temp, int streamCount, int publishers, PushReceiver? receiver, List<string> details)
    {
        var output = Console.Out;
        var method = receiver is null ? "poll" : "push";
        output.WriteLine(Invariant($"fan-out: {streamCount:N0} {method} streams ..."));
        var (server, adminToken) = await ServerProcess.StartAsync(
            temp,
            Invariant($"fanout-{method}-{streamCount}"),
            SigningAlgorithms.ES256,
            [Invariant($"--SharpSignals:Quotas:MaxStreamsPerClient={Math.Max(100, streamCount)}")]);
        await using (server)
        {
            using var ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);
            var creating = Stopwatch.StartNew();
            var streams = await CreateStreamsAsync(ssf, streamCount, receiver?.Url);
            var created = creating.Elapsed;

            var warmEvents = Math.Max(5, WarmUpSets / streamCount);
            await DeliverAsync(ssf, streams, warmEvents, publishers, receiver);
            await Task.Delay(LoadCommand.JitSettle);

            var events = Math.Max(1, SetsPerRun / streamCount);

            // For bench/profile/stages.py, which records the server from this line to the next; the
            // run is a few seconds, so it waits for perf to attach rather than lose its start.
            var window = Invariant($"fanout-{method}-{streamCount}");
            output.WriteLine(Invariant($"  profile window: {window}, server pid {server.ProcessId}, until done"));
            await Task.Delay(ProfilerAttach);
            var cpuAtStart = ProcessProbe.Cpu(server.ProcessId);
            var (delivered, publishTime, total) = await DeliverAsync(ssf, streams, events, publishers, receiver);
            var cpu = ProcessProbe.Cpu(server.ProcessId).Since(cpuAtStart);
            output.WriteLine(Invariant($"  profile done: {window}, {delivered} SETs"));
            var rate = delivered / total.TotalSeconds;
            details.Add(Invariant(
                $"fan-out to {streamCount:N0} {method} streams (created in {created.TotalSeconds:F1} s): {events:N0} events published in {publishTime.TotalSeconds:F2} s ({events * streamCount / publishTime.TotalSeconds:N0} SETs routed and signed/s), {delivered:N0} of {events * streamCount:N0} SETs delivered {total.TotalSeconds:F2} s after the first publish = {rate:N0}/s; {cpu}, {cpu.ServerMicrosecondsPer(rate, "SET")}"));
            output.WriteLine($"  {details[^1]}");
            return new FanOutSize(streamCount, rate);
        }
    }

    private static async Task<List<string>> CreateStreamsAsync(SsfClient ssf, int count, string? pushUrl)
    {
        var streams = new string[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                streams[i] = await ssf.CreateStreamAsync(pushUrl);
            }
        }));
        return [.. streams];
    }

    /// <summary>Publishes <paramref name="events"/> events and waits until every stream has all of them: drained with ack, or pushed to the receiver.</summary>
    private static async Task<(long Delivered, TimeSpan PublishTime, TimeSpan Total)> DeliverAsync(SsfClient ssf, List<string> streams, long events, int publishers, PushReceiver? receiver)
    {
        var expected = events * streams.Count;
        var arrived = receiver?.Expect(expected);
        var watch = Stopwatch.StartNew();
        var published = await ClosedLoop.RunCountAsync(publishers, events, ssf.PublishAsync);
        if (published.Failed > 0)
        {
            throw new InvalidOperationException(Invariant($"{published.Failed:N0} fan-out publishes failed{LoadCommand.Failure(published)}."));
        }

        var publishTime = watch.Elapsed;
        if (receiver is not null)
        {
            await Task.WhenAny(arrived!, Task.Delay(TimeSpan.FromSeconds(120 + (expected / 1000.0))));
            return (receiver.Count, publishTime, watch.Elapsed);
        }

        long delivered = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(Drainers, streams.Count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < streams.Count)
            {
                Interlocked.Add(ref delivered, await ssf.DrainAsync(streams[i], LoadCommand.PollBatch));
            }
        }));
        return (delivered, publishTime, watch.Elapsed);
    }
}

/// <summary>One size of the fan-out part: delivered SETs a second.</summary>
internal sealed record FanOutSize(int Streams, double Rate);

/// <summary>The fan-out part through poll streams and through push streams; empty when it did not run.</summary>
internal sealed record FanOutResult(IReadOnlyList<FanOutSize> Poll, IReadOnlyList<FanOutSize> Push)
{
    public static FanOutResult None { get; } = new([], []);
}
