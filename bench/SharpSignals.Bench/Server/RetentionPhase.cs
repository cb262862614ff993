using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Sqlite;
using static SharpSignals.Bench.Server.LoadReport;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The retention sweep on the embedded store, while events keep coming in: a SQLite file (the
/// server's own store, settings and writer) holds <c>--retention-events</c> events delivered eight days
/// ago and a tail of recent ones still pending. Appends are paced at <see cref="AppendRate"/> a second
/// in an open loop, first alone, then while a sweep runs: once in steps of
/// <see cref="RetentionSweep.DefaultStepSize"/> rows with their rests, as the server sweeps, and once
/// as one transaction, for contrast; and once as the sweep was before the store had an index of entries
/// by event: one transaction, each deleted event's foreign-key check a scan of the entries, on
/// <see cref="UnindexedEvents"/> events only, since its time grows with the square of the table.
/// Each append's latency runs from its scheduled time.
/// </summary>
internal static class RetentionPhase
{
    public const int AppendRate = 2_000;

    private const int PendingTail = 10_000;

    private const int UnindexedEvents = 5_000;

    // About the size of a signed SET, for the event and again for its entry.
    private static readonly string Token = new('x', 600);

    public static async Task<RetentionResult> RunAsync(LoadOptions options, string temp, List<string> details)
    {
        Console.Out.WriteLine("retention ...");
        var stepped = await SweepAsync(temp, RetentionSweep.DefaultStepSize, options.RetentionEvents, indexed: true, details);
        var whole = await SweepAsync(temp, int.MaxValue, options.RetentionEvents, indexed: true, details);
        var unindexed = await SweepAsync(temp, int.MaxValue, UnindexedEvents, indexed: false, details);
        return new RetentionResult(stepped, whole, unindexed);
    }

    private static async Task<SweepRun> SweepAsync(string temp, int stepSize, int events, bool indexed, List<string> details)
    {
        var label = Invariant($"{(stepSize == int.MaxValue ? "one transaction" : $"steps of {stepSize:N0} rows")}{(indexed ? "" : ", no index of entries by event")}");
        var directory = Directory.CreateDirectory(Path.Combine(temp, Invariant($"retention-{stepSize}-{indexed}")));
        var path = Path.Combine(directory.FullName, "sharpsignals.db");
        await using var store = SqliteStore.Open(new SqliteStoreOptions { DatabasePath = path });
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-8);
        var filling = Stopwatch.StartNew();
        await FillAsync(store, "old", events, old);
        for (var i = 0; i < events; i += 1000)
        {
            var jtis = Enumerable.Range(i, Math.Min(1000, events - i)).Select(n => $"old-{n}").ToList();
            await store.AcknowledgeAsync("s", jtis, old.AddSeconds(1), CancellationToken.None);
        }

        await FillAsync(store, "recent", PendingTail, now);
        if (!indexed)
        {
            // As the store was before migration 0005.
            await using var connection = new SqliteConnection($"Data Source={path}");
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP INDEX ix_deliveries_event_position";
            await drop.ExecuteNonQueryAsync();
        }

        Console.Out.WriteLine(Invariant($"  {label}: {events:N0} delivered events and {PendingTail:N0} pending stored in {filling.Elapsed.TotalSeconds:F1} s"));

        var alone = await PacedAppendsAsync(store, "alone", TimeSpan.FromSeconds(5), sweep: null);
        (long Entries, long Events) deleted = default;
        var sweepTime = TimeSpan.Zero;
        var during = await PacedAppendsAsync(store, "during", TimeSpan.FromMinutes(10), async () =>
        {
            var swept = Stopwatch.StartNew();
            deleted = await RetentionSweep.RunAsync(store, now.AddDays(-7), stepSize, CancellationToken.None);
            sweepTime = swept.Elapsed;
        });
        var run = new SweepRun(label, deleted.Entries + deleted.Events, sweepTime, alone, during);
        details.Add(Invariant(
            $"retention sweep in {label}: {deleted.Entries:N0} entries and {deleted.Events:N0} events deleted in {sweepTime.TotalSeconds:F2} s ({run.RowsPerSecond:N0} rows/s), {PendingTail:N0} pending kept; appends paced at {AppendRate:N0}/s: alone p50 {alone.P50:F2} ms, p99 {alone.P99:F2} ms, max {alone.Max:F1} ms; during the sweep ({during.Count:N0} appends) p50 {during.P50:F2} ms, p99 {during.P99:F2} ms, max {during.Max:F1} ms"));
        Console.Out.WriteLine($"  {details[^1]}");
        return run;
    }

    private static async Task FillAsync(SqliteStore store, string prefix, int count, DateTimeOffset at)
    {
        const int concurrent = 64;
        for (var i = 0; i < count; i += concurrent)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(concurrent, count - i)).Select(n => AppendAsync(store, $"{prefix}-{n}", at)));
        }
    }

    private static Task AppendAsync(SqliteStore store, string jti, DateTimeOffset at) =>
        store.AppendAsync(new NewEvent("https://bench.example", jti, "p", ["urn:bench"], Token, at), [new NewDelivery("s", jti, Token)], CancellationToken.None).AsTask();

    /// <summary>
    /// Appends paced in an open loop: for <paramref name="duration"/> when there is no sweep, else from a
    /// second before the sweep to its end; the latencies of the appends scheduled in that time.
    /// </summary>
    private static async Task<Latencies> PacedAppendsAsync(SqliteStore store, string prefix, TimeSpan duration, Func<Task>? sweep)
    {
        using var stop = new CancellationTokenSource();
        var done = new long[(int)(AppendRate * duration.TotalSeconds) + 1];
        var start = Stopwatch.GetTimestamp();
        var loop = OpenLoop.RunAsync(AppendRate, duration, async n =>
        {
            await AppendAsync(store, $"{prefix}-{n}", DateTimeOffset.UtcNow);
            done[n] = Stopwatch.GetTimestamp();
            return null;
        }, stop.Token);
        var first = 0L;
        if (sweep is not null)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            first = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * AppendRate);
            await sweep();
            await stop.CancelAsync();
        }

        await loop;
        var latencies = new List<double>();
        for (var n = first; n < done.Length && done[n] != 0; n++)
        {
            var scheduled = start + (long)(n / (double)AppendRate * Stopwatch.Frequency);
            latencies.Add(Stopwatch.GetElapsedTime(scheduled, done[n]).TotalMilliseconds);
        }

        var all = latencies.ToArray();
        return new Latencies(all.Length, LoopResult.Percentile(all, 0.5), LoopResult.Percentile(all, 0.99), LoopResult.Percentile(all, 1));
    }
}

internal sealed record Latencies(int Count, double P50, double P99, double Max);

internal sealed record SweepRun(string Label, long Rows, TimeSpan Time, Latencies Alone, Latencies During)
{
    public double RowsPerSecond => Rows / Math.Max(Time.TotalSeconds, 1e-9);
}

internal sealed record RetentionResult(SweepRun? Stepped, SweepRun? Whole, SweepRun? Unindexed)
{
    public static readonly RetentionResult None = new(null, null, null);

    public IEnumerable<SweepRun> Runs => new[] { Stepped, Whole, Unindexed }.OfType<SweepRun>();
}
