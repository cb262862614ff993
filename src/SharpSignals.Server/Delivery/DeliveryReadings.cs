using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// The observable instruments over state the server already keeps (docs/OPERATIONS.md, "Metrics and
/// traces"): each stream's backlog, oldest pending entry and dead letters; the store's commits and
/// writes; the intake held and turned away while delivery is behind; the leases this node holds.
/// The backlog is the one reading that needs the database: a collection is answered from the last
/// reading and, when that is older than <see cref="TelemetryOptions.BacklogRefreshSeconds"/>, starts
/// one new pass over the streams in the background, so however often and however many scrapers
/// collect, the store is read at most once per that interval and a scrape never waits for it.
/// </summary>
internal sealed partial class DeliveryReadings(
    ServerMetrics metrics,
    StreamCatalog catalog,
    ISharpSignalsStore store,
    DeliveryLag lag,
    ClusterNode node,
    IOptions<TelemetryOptions> options,
    ILogger<DeliveryReadings> logger) : IHostedService
{
    private IReadOnlyList<(StreamRoute Route, StreamBacklog Backlog)> _backlogs = [];
    private long _readAt;
    private int _reading;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("sharpsignals.stream.backlog", () => Backlogs(b => b.Pending), "{entry}", "Pending entries per outbound stream.");
        meter.CreateObservableGauge("sharpsignals.stream.dead_letters", () => Backlogs(b => b.DeadLetters), "{entry}", "Dead letters kept per outbound stream.");
        meter.CreateObservableGauge("sharpsignals.stream.oldest_pending_age", OldestPendingAges, "s", "Age of the oldest pending entry per outbound stream; 0 when none is pending.");
        meter.CreateObservableCounter("sharpsignals.intake.held", () => lag.Held, "{request}", "Intake requests held while their project's push delivery fell behind.");
        meter.CreateObservableCounter("sharpsignals.intake.turned_away", () => lag.TurnedAway, "{request}", "Intake requests answered 503 after waiting for delivery.");
        meter.CreateObservableCounter("sharpsignals.storage.commits", () => store.Commits, "{commit}", "Transactions the store committed since it opened.");
        meter.CreateObservableCounter("sharpsignals.storage.writes", () => store.Writes, "{write}", "Writes the store committed since it opened; writes per commit is the group-commit share.");
        meter.CreateObservableGauge("sharpsignals.cluster.leases", Leases, "{lease}", "Stream leases this node holds, per kind of work.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> Backlogs(Func<StreamBacklog, long> value)
    {
        RefreshIfStale();
        foreach (var (route, backlog) in Volatile.Read(ref _backlogs))
        {
            yield return new Measurement<long>(value(backlog), StreamTags(route));
        }
    }

    private IEnumerable<Measurement<double>> OldestPendingAges()
    {
        RefreshIfStale();
        var now = DateTimeOffset.UtcNow;
        foreach (var (route, backlog) in Volatile.Read(ref _backlogs))
        {
            var age = backlog.OldestPendingAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
            yield return new Measurement<double>(age, StreamTags(route));
        }
    }

    private IEnumerable<Measurement<int>> Leases()
    {
        foreach (var (work, held) in node.Leases)
        {
            yield return new Measurement<int>(held, new KeyValuePair<string, object?>("node", node.Id), new KeyValuePair<string, object?>("work", work));
        }
    }

    private static TagList StreamTags(StreamRoute route) => new() { { "stream_id", route.StreamId }, { "project", route.Project } };

    /// <summary>Starts one pass over the streams when the last is older than the refresh interval and none is running.</summary>
    private void RefreshIfStale()
    {
        var interval = TimeSpan.FromSeconds(options.Value.BacklogRefreshSeconds);
        var readAt = Volatile.Read(ref _readAt);
        if ((readAt != 0 && Stopwatch.GetElapsedTime(readAt) < interval) || Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(ReadBacklogsAsync);
    }

    private async Task ReadBacklogsAsync()
    {
        try
        {
            var routes = catalog.All.Where(r => r.IsOutbound).ToList();
            var backlogs = await store.GetBacklogsAsync([.. routes.Select(r => r.StreamId)], CancellationToken.None);
            var read = routes.Select(r => (r, backlogs[r.StreamId])).ToList();

            Volatile.Write(ref _backlogs, read);
        }
        catch (Exception ex)
        {
            // The store is unavailable: the gauges keep their last reading, and the next collection tries again.
            LogReadFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _readAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref _reading, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the streams' backlogs for the metrics")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
