using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.OperatorConsole.Overview;

/// <summary>
/// The overview's rows: a page of them for a filter, and the live values of the rows a page shows,
/// read at most once every <see cref="Interval"/> for each set of rows: every live connection
/// (<c>GET /console/overview/live</c>) showing the same rows in the same interval shares one reading
/// and one serialized event, so a hundred open overviews cost the store what one does. A reading is
/// one backlog query for the streams shown; the history behind the charts is in memory.
/// </summary>
internal sealed class OverviewData(
    StreamCatalog catalog,
    IDeliveryStore deliveries,
    FailingStreams failing,
    DeliveryHistory history,
    TimeProvider time,
    IHostApplicationLifetime lifetime)
{
    public const int PageSize = 50;

    /// <summary>How often the live overview sends new values.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<OverviewLiveRows, Reading> _readings = [];
    private readonly Lock _gate = new();

    /// <summary>The page of rows <paramref name="filter"/> asks for, and how many streams match in all.</summary>
    public async Task<(IReadOnlyList<OverviewRow> Rows, int Total)> ReadPageAsync(OverviewFilter filter, CancellationToken cancellationToken)
    {
        var matching = catalog.All
            .Where(filter.Matches)
            .OrderBy(s => s.Project, StringComparer.Ordinal)
            .ThenBy(s => s.StreamId, StringComparer.Ordinal)
            .ToList();

        var page = new List<(StreamRoute Stream, StreamBacklog Backlog)>(PageSize);
        int total;
        if (filter.FailingOnly)
        {
            // Only a stream failing here or with a failed attempt on any node in the last hour can
            // be failing; its backlog decides (OverviewRow.IsFailing), so the store is asked about
            // those streams only, not about every stream.
            var failedLately = history.ReadAll(HistoryRange.Hour)
                .Where(h => h.Value.Any(p => p.Failed > 0))
                .Select(h => h.Key)
                .ToHashSet(StringComparer.Ordinal);
            var candidates = matching.Where(s => s.IsOutbound && (failing.FailingSince(s.StreamId) is not null || failedLately.Contains(s.StreamId))).ToList();
            var backlogs = await deliveries.GetBacklogsAsync([.. candidates.Select(s => s.StreamId)], cancellationToken);
            var failingStreams = new List<(StreamRoute, StreamBacklog)>();
            foreach (var stream in candidates)
            {
                var backlog = backlogs[stream.StreamId];
                if (failing.FailingSince(stream.StreamId) is not null || (backlog.Pending > 0 && backlog.LastError is not null))
                {
                    failingStreams.Add((stream, backlog));
                }
            }

            total = failingStreams.Count;
            page.AddRange(failingStreams.Skip(filter.PageIndex * PageSize).Take(PageSize));
        }
        else
        {
            total = matching.Count;
            var shown = matching.Skip(filter.PageIndex * PageSize).Take(PageSize).ToList();
            var backlogs = await deliveries.GetBacklogsAsync([.. shown.Select(s => s.StreamId)], cancellationToken);
            page.AddRange(shown.Select(stream => (stream, backlogs[stream.StreamId])));
        }

        var now = time.GetUtcNow();
        return (page.Select(r => Row(r.Stream, r.Backlog, now)).ToList(), total);
    }

    /// <summary>
    /// The new values of the rows a page shows, as one Server-Sent Event, read now if nobody has yet
    /// in this interval. The rows are named rather than filtered again, so that a row that no longer
    /// matches (a stream that recovered, on "failing only") still shows how it is now.
    /// </summary>
    public Task<byte[]> LiveAsync(OverviewLiveRows rows)
    {
        var tick = Tick();
        TaskCompletionSource<byte[]> reading;
        lock (_gate)
        {
            if (_readings.TryGetValue(rows, out var current) && current.Tick == tick)
            {
                return current.Event.Task;
            }

            // Readings of earlier intervals are nobody's any more.
            foreach (var (old, stale) in _readings)
            {
                if (stale.Tick < tick)
                {
                    _readings.Remove(old);
                }
            }

            reading = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            _readings[rows] = new Reading(tick, reading);
        }

        // Read outside the lock: the readers of other rows do not wait for this one.
        _ = FillAsync(reading, rows);
        return reading.Task;
    }

    /// <summary>How long until the next interval begins.</summary>
    public TimeSpan UntilNextTick()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var interval = (long)Interval.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(interval - (now % interval));
    }

    private async Task FillAsync(TaskCompletionSource<byte[]> reading, OverviewLiveRows rows)
    {
        try
        {
            // A stream deleted meanwhile, or of another project, is left out.
            var streams = rows.StreamIds
                .Select(catalog.Find)
                .OfType<StreamRoute>()
                .Where(stream => rows.Project is null || stream.Project == rows.Project)
                .ToList();
            var backlogs = await deliveries.GetBacklogsAsync([.. streams.Select(s => s.StreamId)], lifetime.ApplicationStopping);
            var now = time.GetUtcNow();
            var read = streams.Select(stream => Row(stream, backlogs[stream.StreamId], now)).ToList();

            reading.TrySetResult(Event(read));
        }
        catch (Exception ex)
        {
            reading.TrySetException(ex);
        }
    }

    private OverviewRow Row(StreamRoute stream, StreamBacklog backlog, DateTimeOffset now) => OverviewRow.From(
        stream,
        backlog,
        failing.FailingSince(stream.StreamId),
        now,
        stream.IsOutbound ? OverviewCharts.From(history.Read(stream.StreamId, HistoryRange.Hour)) : null);

    private long Tick() => time.GetUtcNow().ToUnixTimeMilliseconds() / (long)Interval.TotalMilliseconds;

    /// <summary>The rows as one Server-Sent Event (<c>event: rows</c>), serialized once for every connection.</summary>
    private static byte[] Event(List<OverviewRow> rows)
    {
        var update = new OverviewUpdate(rows.Select(r => new OverviewRowUpdate(
            r.StreamId,
            r.Pending,
            r.DeadLetters,
            r.OldestPendingAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            r.OldestPendingAt is { } oldest ? Shell.Time.Utc(oldest) : null,
            r.OldestAge,
            r.IsFailing,
            r.LastError,
            r.Charts?.Delivered,
            r.Charts?.ErrorRate,
            r.Charts?.DeliveredLabel,
            r.Charts?.ErrorRateLabel)).ToList());
        var json = JsonSerializer.Serialize(update, OverviewJsonContext.Default.OverviewUpdate);
        return Encoding.UTF8.GetBytes($"event: rows\ndata: {json}\n\n");
    }

    private sealed record Reading(long Tick, TaskCompletionSource<byte[]> Event);
}

/// <summary>
/// The rows a live overview shows: the streams of its page (at most a page), seen as a viewer of
/// <paramref name="Project"/> (null: every project) sees them. Equal sets share a reading.
/// </summary>
internal sealed record OverviewLiveRows(string? Project, string Streams)
{
    /// <summary>The stream ids, from <c>streams=a,b,c</c> (the page's rows).</summary>
    public IReadOnlyList<string> StreamIds { get; } = Streams.Split(',', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Take(OverviewData.PageSize).ToArray();

    /// <summary>Equal when they name the same streams for the same viewer scope.</summary>
    public bool Equals(OverviewLiveRows? other) => other is not null && Project == other.Project && Streams == other.Streams;

    public override int GetHashCode() => HashCode.Combine(Project, Streams);
}

/// <summary>What <c>overview.js</c> gets every interval: the new values of the rows on the page.</summary>
internal sealed record OverviewUpdate([property: JsonPropertyName("rows")] IReadOnlyList<OverviewRowUpdate> Rows);

internal sealed record OverviewRowUpdate(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("dead_letters")] long DeadLetters,
    [property: JsonPropertyName("oldest")] string? Oldest,
    [property: JsonPropertyName("oldest_utc")] string? OldestUtc,
    [property: JsonPropertyName("oldest_age")] string? OldestAge,
    [property: JsonPropertyName("failing")] bool Failing,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("delivered")] IReadOnlyList<double?>? Delivered,
    [property: JsonPropertyName("error_rate")] IReadOnlyList<double?>? ErrorRate,
    [property: JsonPropertyName("delivered_label")] string? DeliveredLabel,
    [property: JsonPropertyName("error_rate_label")] string? ErrorRateLabel);

[JsonSerializable(typeof(OverviewUpdate))]
internal sealed partial class OverviewJsonContext : JsonSerializerContext;
