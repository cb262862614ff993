using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// WebSocket fan-out (issue 7, "Performance"): <c>--ws-subscribers</c> WebSocket subscribers on one
/// topic through notiflux's <c>/subscribe</c> (a topic token signed by a fresh ES256 key the server is
/// told to trust); the server's memory with all of them connected; <c>--ws-broadcasts</c> single
/// broadcasts one after another, each timed from just before its <c>POST /broadcast</c> to each
/// subscriber's receipt; then broadcasts paced at <c>--ws-rate</c> a second for the window, counted
/// as messages received by all subscribers. The same is measured first against a bare Kestrel
/// WebSocket fan-out (<see cref="WebSocketFanOutSink"/>) as the ceiling.
/// </summary>
internal static class WebSocketFanOutPhase
{
    private const string Topic = "bench";
    private const double MegaByte = 1024 * 1024;
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(2);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    public static async Task<WebSocketResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        Console.Out.WriteLine(Invariant($"WebSocket fan-out, {options.WebSocketSubscribers:N0} subscribers ..."));
        using var issuer = new TopicTokenIssuer();
        var subscribe = $"/subscribe {Topic} {issuer.Create(Topic, "subscribe", TokenLifetime)}";
        var broadcastToken = issuer.Create(Topic, "broadcast", TokenLifetime);

        var port = ChildProcess.FreePort();
        var sink = await ChildProcess.StartAsync(
            "SharpSignals.Bench.dll",
            port,
            [WebSocketFanOutSink.Mode, "--port", port.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }); // as the server runs (Web SDK default)
        var bare = await MeasureAsync("bare Kestrel WebSocket fan-out", sink, options, subscribe, broadcastToken, details);

        var (server, _) = await ServerProcess.StartAsync(temp, "ws", "ES256",
        [
            $"--SharpSignals:Realtime:TrustedKeys:0={issuer.PublicPemBase64}",

            // One token for every subscriber, so its per-token limits must admit them all.
            "--SharpSignals:Realtime:MaxConnectionsPerToken=1000000",
            "--SharpSignals:Realtime:MaxSubscriptionsPerToken=1000000",
        ]);
        var real = await MeasureAsync("server", server, options, subscribe, broadcastToken, details);
        return new WebSocketResult(bare, real);
    }

    /// <summary>Connects the crowd to <paramref name="target"/>, measures, reads the target's memory, then ends the target first (so the server side closes, and the client's ports are not left waiting).</summary>
    private static async Task<FanOut> MeasureAsync(string name, ChildProcess target, LoadOptions options, string subscribe, string broadcastToken, List<string> details)
    {
        var output = Console.Out;
        await using var stopTarget = target;
        using var client = new HttpClient(SsfClient.NewHandler()) { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var n = options.WebSocketSubscribers;
        var idleRss = ProcessProbe.Memory(target.ProcessId).Rss;

        var connectWatch = Stopwatch.StartNew();
        var wsUri = new UriBuilder(target.BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        await using var crowd = await WebSocketCrowd.ConnectAsync(wsUri, n, subscribe, options.WebSocketBroadcasts);

        // Text subscriptions are not answered; a broadcast's answer counts the subscribers it reached.
        var reached = 0;
        while (reached < n && connectWatch.Elapsed < DeliveryTimeout)
        {
            reached = await BroadcastAsync(client, broadcastToken, WebSocketCrowd.Message(-1));
            if (reached < n)
            {
                await Task.Delay(200);
            }
        }

        connectWatch.Stop();
        await Task.Delay(LoadCommand.JitSettle);
        var connected = ProcessProbe.Memory(target.ProcessId);
        details.Add(Invariant($"{name}: {n:N0} WebSocket subscribers connected and subscribed in {connectWatch.Elapsed.TotalSeconds:F1} s ({reached:N0} reached by a broadcast); memory VmRSS {idleRss / MegaByte:N0} MB before, {connected.Rss / MegaByte:N0} MB with all connected ({(connected.Rss - idleRss) / (double)n / 1024:F1} KB per subscriber), VmHWM {connected.Peak / MegaByte:N0} MB"));
        output.WriteLine($"  {details[^1]}");

        // Warm-up: broadcasts at the sustained rate, outside every measurement.
        var beforeWarmUp = crowd.Received;
        var warmUp = await OpenLoop.RunAsync(options.WebSocketRate, options.WarmUp, _ => SendAsync(client, broadcastToken, -1));
        await WebSocketCrowd.WaitUntilAsync(() => crowd.Received - beforeWarmUp >= warmUp.Completed * (long)(n - crowd.Closed), DeliveryTimeout);
        await Task.Delay(LoadCommand.JitSettle);

        // One broadcast at a time, each waited for by every subscriber.
        var answers = new List<double>();
        var complete = true;
        for (var seq = 0; seq < options.WebSocketBroadcasts; seq++)
        {
            var sent = Stopwatch.GetTimestamp();
            await BroadcastAsync(client, broadcastToken, WebSocketCrowd.Message(seq));
            answers.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            var index = seq;
            complete &= await WebSocketCrowd.WaitUntilAsync(() => crowd.ReceivedOf(index) >= n - crowd.Closed, DeliveryTimeout);
            await Task.Delay(200);
        }

        var latencies = crowd.TimedLatencies();
        answers.Sort();
        var single = new Latency(Percentile(latencies, 0.5), Percentile(latencies, 0.99), latencies.Length == 0 ? double.NaN : latencies[^1]);
        details.Add(Invariant($"{name}: {options.WebSocketBroadcasts} broadcasts one at a time, POST to each subscriber's receipt: {latencies.Length:N0} receipts of {options.WebSocketBroadcasts * (long)n:N0}{(complete ? "" : " (some timed out)")}, p50 {single.P50:F1} ms, p99 {single.P99:F1} ms, max {single.Max:F1} ms; POST answered in p50 {Percentile(answers, 0.5):F1} ms, max {answers[^1]:F1} ms"));
        output.WriteLine($"  {details[^1]}");

        // Sustained: paced broadcasts for the window, counted at the subscribers.
        var receivedAtStart = crowd.Received;
        var cpuAtStart = ProcessProbe.Cpu(target.ProcessId);
        var windowWatch = Stopwatch.StartNew();
        var paced = await OpenLoop.RunAsync(options.WebSocketRate, options.Window, _ => SendAsync(client, broadcastToken, -1));
        var receivedInWindow = crowd.Received - receivedAtStart;
        var window = windowWatch.Elapsed;
        var cpu = ProcessProbe.Cpu(target.ProcessId).Since(cpuAtStart);
        var expected = paced.Completed * (long)n;
        var drained = await WebSocketCrowd.WaitUntilAsync(() => crowd.Received - receivedAtStart >= paced.Completed * (long)(n - crowd.Closed), DeliveryTimeout);
        var lag = windowWatch.Elapsed - window;
        var rate = receivedInWindow / window.TotalSeconds;
        details.Add(Invariant($"{name}: sustained, {options.WebSocketRate} broadcasts/s for {window.TotalSeconds:F1} s ({paced.Completed:N0} broadcasts, {paced.Failed} failed{LoadCommand.Failure(paced)}, POST p99 {paced.Percentile(0.99):F1} ms): {receivedInWindow:N0} messages received in the window = {rate:N0}/s of {expected / window.TotalSeconds:N0}/s offered; the rest {(drained ? "arrived" : "had not all arrived")} {lag.TotalSeconds:F1} s after; {crowd.Closed:N0} subscribers closed{(crowd.FirstClose is { } why ? $" (first: {why})" : "")}; {cpu}, {cpu.ServerMicrosecondsPer(rate, "message")}"));
        output.WriteLine($"  {details[^1]}");

        var peak = ProcessProbe.Memory(target.ProcessId).Peak;
        details.Add(Invariant($"{name} memory: VmHWM {peak / MegaByte:N0} MB over the whole part"));
        output.WriteLine($"  {details[^1]}");
        await target.DisposeAsync();
        return new FanOut(connected.Rss / MegaByte, peak / MegaByte, single, rate);
    }

    private static async Task<string?> SendAsync(HttpClient client, string token, long seq)
    {
        try
        {
            await BroadcastAsync(client, token, WebSocketCrowd.Message(seq));
            return null;
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>notiflux's broadcast; returns how many subscribers the server says it reached.</summary>
    private static async Task<int> BroadcastAsync(HttpClient client, string token, string message)
    {
        using var response = await client.PostAsJsonAsync(new Uri("/broadcast", UriKind.Relative), new Dictionary<string, string>
        {
            ["topic"] = Topic,
            ["message"] = message,
            ["token"] = token,
        });
        response.EnsureSuccessStatusCode();
        using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return answer.RootElement.GetProperty("subscribers").GetInt32();
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

/// <summary>Broadcast to receipt, in milliseconds.</summary>
internal sealed record Latency(double P50, double P99, double Max);

/// <summary>One target's figures: memory with all connected and over the part (MB), single-broadcast latency, sustained messages/s.</summary>
internal sealed record FanOut(double ConnectedMegabytes, double PeakMegabytes, Latency Single, double Rate);

/// <summary>The bare Kestrel fan-out (the ceiling) and the server.</summary>
internal sealed record WebSocketResult(FanOut? Bare, FanOut? Server)
{
    public static readonly WebSocketResult None = new(null, null);
}
