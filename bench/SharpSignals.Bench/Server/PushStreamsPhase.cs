using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SharpSignals.Tokens.Keys;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Push streams at scale (issue 23, §2): 10, 1,000 and 10,000 enabled push streams on one server,
/// each pushing to a path of its own on one loopback receiver. Per size, on a fresh server: its
/// threads, its CPU while every stream is idle, its resident memory per stream (against the same
/// server before the streams were made), one event to every stream at once (a publish into the
/// streams' project), and the time from publishing a single event into the idle server to its
/// receipt, on a probe stream in a project of its own.
/// </summary>
internal static class PushStreamsPhase
{
    private static readonly int[] Sizes = [10, 1_000, 10_000];

    /// <summary>The probe stream's receiver path; the measured streams take 1 to N.</summary>
    private const int ProbePath = 0;

    /// <summary>Single events timed into the idle server, one at a time.</summary>
    private const int Probes = 40;

    /// <summary>Stream creations in flight at once.</summary>
    private const int Creators = 32;

    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<PushStreamsResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        Console.Out.WriteLine("push streams at scale ...");
        var sizes = Sizes.Where(s => s <= options.StreamsMax).ToList();
        await using var receiver = await StreamsReceiver.StartAsync(sizes.Max() + 1);
        var rows = new List<PushStreamsRow>();
        foreach (var size in sizes)
        {
            rows.Add(await RunSizeAsync(temp, receiver, size, details));
        }

        return new PushStreamsResult(rows);
    }

    private static async Task<PushStreamsRow> RunSizeAsync(string temp, StreamsReceiver receiver, int size, List<string> details)
    {
        var output = Console.Out;
        output.WriteLine(Invariant($"  {size:N0} streams ..."));
        receiver.Reset();
        var (server, adminToken) = await ServerProcess.StartAsync(temp, Invariant($"streams-{size}"), SigningAlgorithms.ES256, [Invariant($"--SharpSignals:Quotas:MaxStreamsPerClient={size + 10}")]);
        await using var serverLease = server;
        using var ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);
        using var probe = await SsfClient.RegisterAsync(server.BaseAddress, adminToken, "probe");

        // The probe stream first, and a few events through it: the push path is compiled before the baseline.
        await probe.CreateStreamAsync(receiver.Url(ProbePath));
        for (var i = 0; i < 5; i++)
        {
            await ProbeOnceAsync(probe, receiver);
        }

        await Task.Delay(Settle);
        var baseRss = ProcessProbe.Memory(server.ProcessId).Rss;
        var baseThreads = Threads(server.ProcessId);

        var created = Stopwatch.StartNew();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Creators).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var path && path <= size)
            {
                await ssf.CreateStreamAsync(receiver.Url(path));
            }
        }));
        var createRate = size / created.Elapsed.TotalSeconds;

        // One event to all of them: every worker has started and pushed once before the idle window.
        var first = await AllActiveAsync(ssf, receiver, size);
        await Task.Delay(Settle);

        var threads = Threads(server.ProcessId);
        var idleStart = ProcessProbe.Cpu(server.ProcessId);
        await Task.Delay(IdleWindow);
        var idle = ProcessProbe.Cpu(server.ProcessId).Since(idleStart);
        var rss = ProcessProbe.Memory(server.ProcessId).Rss;
        var kibPerStream = (rss - baseRss) / 1024.0 / size;

        var latencies = new double[Probes];
        for (var i = 0; i < Probes; i++)
        {
            latencies[i] = await ProbeOnceAsync(probe, receiver);
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var active = await AllActiveAsync(ssf, receiver, size);
        server.ThrowIfExited();
        var row = new PushStreamsRow(
            size,
            threads,
            baseThreads,
            idle.ServerCores,
            kibPerStream,
            active.Rate,
            LoopResult.Percentile(latencies, 0.5),
            LoopResult.Percentile(latencies, 0.99));
        details.Add(Invariant($"push streams, {size:N0}: created at {createRate:N0}/s; server threads {threads} ({baseThreads} with the probe stream only); idle for {IdleWindow.TotalSeconds:0} s: {idle}; RSS {rss / 1048576.0:N0} MB, {(rss - baseRss) / 1048576.0:N1} MB over the server without them = {kibPerStream:N1} KiB per stream; one event to all: first round {first.Elapsed.TotalMilliseconds:N0} ms, second {active.Elapsed.TotalMilliseconds:N0} ms = {active.Rate:N0} SETs/s{(active.Complete ? "" : " (NOT all arrived)")}; single event into the idle server, publish to receipt over {Probes}: p50 {row.LatencyP50:F1} ms, p99 {row.LatencyP99:F1} ms, max {LoopResult.Percentile(latencies, 1):F1} ms"));
        output.WriteLine($"  {details[^1]}");
        return row;
    }

    /// <summary>Publishes one event into the streams' project and waits for every stream's SET; from the publish to the last receipt.</summary>
    private static async Task<(TimeSpan Elapsed, double Rate, bool Complete)> AllActiveAsync(SsfClient ssf, StreamsReceiver receiver, int size)
    {
        var before = receiver.Total;
        var start = Stopwatch.GetTimestamp();
        if (await ssf.PublishAsync() is { } failure)
        {
            throw new InvalidOperationException("Publishing to every stream: " + failure);
        }

        var deadline = start + (long)(Stopwatch.Frequency * (30 + (size / 100.0)));
        while (receiver.Total - before < size && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        var elapsed = Stopwatch.GetElapsedTime(start, receiver.LastArrival);
        return (elapsed, (receiver.Total - before) / elapsed.TotalSeconds, receiver.Total - before >= size);
    }

    /// <summary>One event into the probe's project: milliseconds from the publish to the probe receiver's receipt.</summary>
    private static async Task<double> ProbeOnceAsync(SsfClient probe, StreamsReceiver receiver)
    {
        var before = receiver.Count(ProbePath);
        var start = Stopwatch.GetTimestamp();
        if (await probe.PublishAsync() is { } failure)
        {
            throw new InvalidOperationException("Publishing to the probe stream: " + failure);
        }

        var deadline = start + (Stopwatch.Frequency * 30);
        while (receiver.Count(ProbePath) == before)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The probe stream's SET did not arrive within 30 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }

        return Stopwatch.GetElapsedTime(start, receiver.LastArrivalAt(ProbePath)).TotalMilliseconds;
    }

    /// <summary>The <c>Threads:</c> line of <c>/proc/&lt;pid&gt;/status</c>.</summary>
    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>Push receivers, one path per stream (<c>/s/0</c> …), each counting its arrivals and the time of its last.</summary>
    private sealed class StreamsReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly long[] _counts;
        private readonly long[] _last;
        private long _total;
        private long _lastArrival;

        private StreamsReceiver(WebApplication app, int paths)
        {
            _app = app;
            _counts = new long[paths];
            _last = new long[paths];
        }

        public long Total => Interlocked.Read(ref _total);

        public long LastArrival => Interlocked.Read(ref _lastArrival);

        public static async Task<StreamsReceiver> StartAsync(int paths)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new StreamsReceiver(app, paths);
            app.MapPost("/s/{path:int}", (RequestDelegate)receiver.AcceptAsync);
            await app.StartAsync();
            return receiver;
        }

        public string Url(int path) => Invariant($"{_app.Urls.First()}/s/{path}");

        public long Count(int path) => Interlocked.Read(ref _counts[path]);

        public long LastArrivalAt(int path) => Interlocked.Read(ref _last[path]);

        public void Reset()
        {
            Array.Clear(_counts);
            Array.Clear(_last);
            Interlocked.Exchange(ref _total, 0);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private async Task AcceptAsync(HttpContext context)
        {
            if (!int.TryParse(context.Request.RouteValues["path"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var path) || path >= _counts.Length)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await KestrelSink.DrainAsync(context.Request.BodyReader, context.RequestAborted);
            var now = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _last[path], now);
            Interlocked.Increment(ref _counts[path]);
            Interlocked.Exchange(ref _lastArrival, now);
            Interlocked.Increment(ref _total);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }
}

/// <summary>One size of the push-streams part: threads, idle cores, memory per stream, all-active rate and single-event latency.</summary>
internal sealed record PushStreamsRow(int Streams, int Threads, int BaseThreads, double IdleCores, double KibPerStream, double ActiveRate, double LatencyP50, double LatencyP99);

internal sealed record PushStreamsResult(IReadOnlyList<PushStreamsRow> Rows)
{
    public static readonly PushStreamsResult None = new([]);

    /// <summary>
    /// Per size its figures; against the smallest size, the cost per stream at the largest; and the
    /// goals of issue 23 §2: threads bounded (no more than the smallest size's plus 16), at most
    /// 50 KiB per stream, a stream with work pushing within 50 ms (p99).
    /// </summary>
    public IEnumerable<Figure> Figures()
    {
        if (Rows.Count == 0)
        {
            yield break;
        }

        var smallest = Rows[0];
        var largest = Rows[^1];
        foreach (var row in Rows)
        {
            var n = row.Streams.ToString("N0", CultureInfo.InvariantCulture);
            yield return new($"(info) {n} push streams: server threads", row.Threads, "N0", null, null);
            yield return new($"(info) {n} push streams: idle server CPU (cores)", row.IdleCores, "F3", null, null);
            yield return new($"{n} push streams: server RSS per stream (KiB)", row.KibPerStream, "F1", null, 50, AtMost: true);
            yield return new($"(info) {n} push streams, one event to each: delivered SETs/s", row.ActiveRate, "N0", null, null);
            yield return new($"(info) {n} push streams: single event, publish to receipt p50 (ms)", row.LatencyP50, "F1", null, null);
            yield return new($"{n} push streams: single event, publish to receipt p99 (ms)", row.LatencyP99, "F1", null, 50, AtMost: true);
        }

        if (Rows.Count > 1)
        {
            var l = largest.Streams.ToString("N0", CultureInfo.InvariantCulture);
            var s = smallest.Streams.ToString("N0", CultureInfo.InvariantCulture);
            yield return new($"server threads at {l} streams (bounded: at most {s} streams' + 16)", largest.Threads, "N0", new Ceiling($"threads at {s} streams", smallest.Threads, "N0", ""), smallest.Threads + 16, AtMost: true);
            yield return new($"(info) idle CPU per stream at {l} streams (µcores)", largest.IdleCores / largest.Streams * 1e6, "F2", new Ceiling($"idle CPU per stream at {s} streams", smallest.IdleCores / smallest.Streams * 1e6, "F2", " µcores"), null);
            yield return new($"(info) RSS per stream at {l} streams (KiB)", largest.KibPerStream, "F1", new Ceiling($"RSS per stream at {s} streams", smallest.KibPerStream, "F1", " KiB"), null);
            yield return new($"(info) one event to each of {l} streams (SETs/s)", largest.ActiveRate, "N0", new Ceiling($"one event to each of {s} streams", smallest.ActiveRate), null);
            yield return new($"(info) single event p99 at {l} streams (ms)", largest.LatencyP99, "F1", new Ceiling($"single event p99 at {s} streams", smallest.LatencyP99, "F1", " ms"), null);
        }
    }
}
