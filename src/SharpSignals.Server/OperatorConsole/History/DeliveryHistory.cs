using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage;
using SharpSignals.Storage.History;

namespace SharpSignals.Server.OperatorConsole.History;

/// <summary>
/// The data of the console's charts (docs/OPERATIONS.md, "Console history"): per outbound stream,
/// delivered and failed per minute, backlog and lag, over the last hour by minute and the last day
/// by quarter hour, every node's. It listens to the instruments the server records anyway
/// (<see cref="ServerMetrics.AttemptsInstrument"/>, <see cref="ServerMetrics.PollSettledInstrument"/>,
/// and the backlog gauges of <see cref="DeliveryReadings"/>), so the delivery path does nothing more
/// than it does for the metrics. Each node counts in memory (<see cref="StreamMinutes"/>) and once a
/// minute writes its finished minutes to the store in one statement, samples the backlog, and reads
/// back every node's minutes of the last hour; reads are answered from memory.
/// </summary>
internal sealed partial class DeliveryHistory : BackgroundService
{
    /// <summary>How long the store keeps a minute.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromHours(24);

    /// <summary>
    /// The minute is written this long after it ends, so that a count recorded on its last instant is in.
    /// </summary>
    private static readonly TimeSpan AfterTheMinute = TimeSpan.FromSeconds(1);

    /// <summary>How many minutes of its own a node keeps while the store cannot take them.</summary>
    private const long UnwrittenKeptMinutes = 60;

    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    // Which instrument a measurement comes from, given to the listener with each instrument it enables.
    private static readonly object Attempts = new();
    private static readonly object PollSettled = new();
    private static readonly object Backlog = new();
    private static readonly object OldestPendingAge = new();

    private readonly ServerMetrics _metrics;
    private readonly IStreamHistoryStore _store;
    private readonly StreamCatalog _catalog;
    private readonly ClusterNode _node;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliveryHistory> _logger;
    private readonly ConcurrentDictionary<string, StreamMinutes> _streams = new(StringComparer.Ordinal);
    private readonly MeterListener _listener;
    private HistoryState _state;
    private long _sampleMinute;
    private int _stopped;

    public DeliveryHistory(ServerMetrics metrics, ISharpSignalsStore store, StreamCatalog catalog, ClusterNode node, TimeProvider time, ILogger<DeliveryHistory> logger)
    {
        _metrics = metrics;
        _store = store;
        _catalog = catalog;
        _node = node;
        _time = time;
        _logger = logger;
        _state = HistoryState.Empty(MinuteOf(time.GetUtcNow()) - 1);
        _listener = new MeterListener { InstrumentPublished = Enable };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
    }

    /// <summary>A stream's points over <paramref name="range"/>, oldest first; zero counts and no samples where nothing happened.</summary>
    public IReadOnlyList<HistoryPoint> Read(string streamId, HistoryRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return Chart(streamId, range, Volatile.Read(ref _state), MinuteOf(_time.GetUtcNow()));
    }

    /// <summary>
    /// Every stream's points over <paramref name="range"/>; a stream with nothing recorded in it may be
    /// missing (its chart is flat). Deleted streams are not shown.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<HistoryPoint>> ReadAll(HistoryRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var state = Volatile.Read(ref _state);
        var current = MinuteOf(_time.GetUtcNow());
        var views = range == HistoryRange.Hour ? state.Minutes : state.Quarters;
        var all = new Dictionary<string, IReadOnlyList<HistoryPoint>>(views.Count + _streams.Count, StringComparer.Ordinal);
        foreach (var streamId in views.Keys.Concat(state.NotInViews.Keys).Concat(_streams.Keys))
        {
            if (!all.ContainsKey(streamId) && _catalog.Find(streamId) is not null)
            {
                all[streamId] = Chart(streamId, range, state, current);
            }
        }

        return all;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Writes what this node counted of the minute running too, so that a restart loses none of it.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Once: a host may be stopped more than once, and the counts add up in the store.
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        var state = Volatile.Read(ref _state);
        var current = MinuteOf(_time.GetUtcNow());
        var minutes = state.Unwritten.Concat(Take(state.TakenThrough, current + 1, [])).ToList();
        Volatile.Write(ref _state, state with { TakenThrough = current, Unwritten = [] });
        if (minutes.Count == 0)
        {
            return;
        }

        try
        {
            await _store.WriteStreamHistoryAsync(_node.Id, minutes, [], _time.GetUtcNow() - Kept, cancellationToken);
        }
        catch (Exception ex)
        {
            // A shutdown that ran out of time, or a store already gone: the minute is lost, nothing else.
            LogWriteFailed(_logger, ex);
        }
    }

    public override void Dispose()
    {
        _listener.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
                var now = _time.GetUtcNow();
                await Task.Delay(StartOf(MinuteOf(now) + 1) + AfterTheMinute - now, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever went wrong this minute, the next minute tries again.
                LogTickFailed(_logger, ex);
                await Task.Delay(OneMinute, _time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Once a minute: sample the backlog into the minute that ended, write this node's finished minutes
    /// (and drop the history of deleted streams), then read every node's minutes back.
    /// </summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var current = MinuteOf(now);
        var state = Volatile.Read(ref _state);

        Volatile.Write(ref _sampleMinute, current - 1);
        _listener.RecordObservableInstruments();

        var dropped = new List<string>();
        var taken = Take(state.TakenThrough, current, dropped);
        foreach (var streamId in state.Quarters.Keys.Concat(state.Minutes.Keys))
        {
            if (_catalog.Find(streamId) is null && !dropped.Contains(streamId))
            {
                dropped.Add(streamId);
            }
        }

        // Minutes the store has not taken yet are tried again, for as long as they are worth a chart.
        var toWrite = state.Unwritten.Where(m => MinuteOf(m.Start) >= current - UnwrittenKeptMinutes).Concat(taken).ToList();
        var unwritten = toWrite;
        try
        {
            await _store.WriteStreamHistoryAsync(_node.Id, toWrite, dropped, now - Kept, cancellationToken);
            unwritten = [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteFailed(_logger, ex);
        }

        HistoryState next;
        try
        {
            next = await LoadAsync(state, current, unwritten, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The views stay as they were; what this node took since is shown from memory meanwhile.
            LogReadFailed(_logger, ex);
            var notInViews = state.NotInViews.Values.SelectMany(rows => rows).Where(m => MinuteOf(m.Start) >= current - UnwrittenKeptMinutes).Concat(taken);
            next = state with { TakenThrough = current - 1, Unwritten = unwritten, NotInViews = ByStream(notInViews) };
        }

        Volatile.Write(ref _state, WithCharts(next, current));
    }

    /// <summary>
    /// Every node's minutes of the last hour or so from the store; the day's quarters before that do not
    /// change any more and are kept from the last reading, except on the first, which reads the day.
    /// </summary>
    private async Task<HistoryState> LoadAsync(HistoryState state, long current, List<StreamHistoryRow> unwritten, CancellationToken cancellationToken)
    {
        // From the start of a quarter, so that every quarter from there on is made whole from minutes.
        var recentFrom = HistoryRange.Day.PeriodOf(HistoryRange.Hour.FirstMinute(current) - 1);
        var dayFrom = HistoryRange.Day.FirstMinute(current);
        var recent = await _store.ReadStreamHistoryAsync(StartOf(recentFrom), OneMinute, cancellationToken);
        IEnumerable<StreamHistoryRow> earlier = state.Loaded
            ? state.Quarters.Values.SelectMany(rows => rows)
            : await _store.ReadStreamHistoryAsync(StartOf(dayFrom), HistoryRange.Day.Step, cancellationToken);
        var quarters = earlier
            .Where(q => MinuteOf(q.Start) >= dayFrom && MinuteOf(q.Start) < recentFrom)
            .Concat(recent
                .GroupBy(m => (m.StreamId, Quarter: HistoryRange.Day.PeriodOf(MinuteOf(m.Start))))
                .Select(q => new StreamHistoryRow(q.Key.StreamId, StartOf(q.Key.Quarter), q.Sum(m => m.Delivered), q.Sum(m => m.Failed), q.Max(m => m.Backlog), q.Max(m => m.LagSeconds))));
        return new HistoryState(true, current - 1, ByStream(recent), ByStream(quarters), unwritten, ByStream(unwritten));
    }

    /// <summary>
    /// This node's minutes after <paramref name="after"/> and before <paramref name="before"/> from every
    /// stream's ring; streams deleted meanwhile, or idle for longer than the ring, are let go.
    /// </summary>
    private List<StreamHistoryRow> Take(long after, long before, List<string> dropped)
    {
        var taken = new List<StreamHistoryRow>();
        foreach (var (streamId, minutes) in _streams)
        {
            if (_catalog.Find(streamId) is null)
            {
                _streams.TryRemove(streamId, out _);
                dropped.Add(streamId);
                continue;
            }

            for (var minute = Math.Max(after + 1, before - StreamMinutes.Slots + 1); minute < before; minute++)
            {
                if (minutes.TryRead(minute, out var counts))
                {
                    taken.Add(new StreamHistoryRow(streamId, StartOf(minute), counts.Delivered, counts.Failed, counts.Backlog, counts.LagSeconds));
                }
            }

            if (minutes.LastActive < before - StreamMinutes.Slots)
            {
                _streams.TryRemove(KeyValuePair.Create(streamId, minutes));
            }
        }

        return taken;
    }

    /// <summary>
    /// The chart of one stream: from the charts made at the last minute's turn, with the minute running
    /// (which falls in their last point) added; made afresh in the moment between a minute's end and
    /// its turn.
    /// </summary>
    private IReadOnlyList<HistoryPoint> Chart(string streamId, HistoryRange range, HistoryState state, long current)
    {
        if (state.Current != current || state.TakenThrough != current - 1)
        {
            var points = Stored(streamId, range, state, current);
            AddLive(points, streamId, range, state, current);
            return points;
        }

        var charts = range == HistoryRange.Hour ? state.HourCharts : state.DayCharts;
        var stored = charts.ByStream.GetValueOrDefault(streamId) ?? charts.Empty;
        var last = stored[^1];
        if (_streams.TryGetValue(streamId, out var live) && live.TryRead(current, out var counts))
        {
            last = Merged(last, counts.Delivered, counts.Failed, counts.Backlog, counts.LagSeconds);
        }

        return new ChartView(stored, last);
    }

    /// <summary>The charts of every stream the store or this node's unwritten minutes know, made once a minute.</summary>
    private static HistoryState WithCharts(HistoryState state, long current)
    {
        return state with { Current = current, HourCharts = Make(HistoryRange.Hour), DayCharts = Make(HistoryRange.Day) };

        Charts Make(HistoryRange range)
        {
            var views = range == HistoryRange.Hour ? state.Minutes : state.Quarters;
            var byStream = new Dictionary<string, HistoryPoint[]>(views.Count, StringComparer.Ordinal);
            foreach (var streamId in views.Keys.Concat(state.NotInViews.Keys))
            {
                byStream.TryAdd(streamId, Stored(streamId, range, state, current));
            }

            return new Charts(byStream, Empty(range, current));
        }
    }

    /// <summary>A chart with nothing in it: its points' times only.</summary>
    private static HistoryPoint[] Empty(HistoryRange range, long current)
    {
        var first = range.FirstMinute(current);
        var points = new HistoryPoint[range.Points];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new HistoryPoint(StartOf(first + (i * range.StepMinutes)), 0, 0, null, null);
        }

        return points;
    }

    /// <summary>A stream's chart from the views read from the store and this node's minutes not in them yet.</summary>
    private static HistoryPoint[] Stored(string streamId, HistoryRange range, HistoryState state, long current)
    {
        var first = range.FirstMinute(current);
        var points = Empty(range, current);
        var views = range == HistoryRange.Hour ? state.Minutes : state.Quarters;
        if (views.TryGetValue(streamId, out var viewed))
        {
            foreach (var row in viewed)
            {
                Add(points, range, first, MinuteOf(row.Start), row.Delivered, row.Failed, row.Backlog, row.LagSeconds);
            }
        }

        if (state.NotInViews.TryGetValue(streamId, out var own))
        {
            foreach (var row in own)
            {
                Add(points, range, first, MinuteOf(row.Start), row.Delivered, row.Failed, row.Backlog, row.LagSeconds);
            }
        }

        return points;
    }

    /// <summary>Adds this node's minutes still in the rings, those after the last taken.</summary>
    private void AddLive(HistoryPoint[] points, string streamId, HistoryRange range, HistoryState state, long current)
    {
        if (!_streams.TryGetValue(streamId, out var live))
        {
            return;
        }

        var first = range.FirstMinute(current);
        for (var minute = Math.Max(state.TakenThrough + 1, current - StreamMinutes.Slots + 1); minute <= current; minute++)
        {
            if (live.TryRead(minute, out var counts))
            {
                Add(points, range, first, minute, counts.Delivered, counts.Failed, counts.Backlog, counts.LagSeconds);
            }
        }
    }

    /// <summary>Adds a minute (or a quarter) into its point: counts summed, samples the largest.</summary>
    private static void Add(HistoryPoint[] points, HistoryRange range, long first, long minute, long delivered, long failed, long? backlog, double? lag)
    {
        if (minute < first)
        {
            return;
        }

        var index = (range.PeriodOf(minute) - first) / range.StepMinutes;
        if (index >= points.Length)
        {
            return;
        }

        points[index] = Merged(points[index], delivered, failed, backlog, lag);
    }

    /// <summary>Counts summed, samples the largest.</summary>
    private static HistoryPoint Merged(HistoryPoint point, long delivered, long failed, long? backlog, double? lag) =>
        point with
        {
            Delivered = point.Delivered + delivered,
            Failed = point.Failed + failed,
            Backlog = Largest(point.Backlog, backlog),
            LagSeconds = Largest(point.LagSeconds, lag),
        };

    private static T? Largest<T>(T? a, T? b)
        where T : struct, IComparable<T> =>
        a is not { } x ? b : b is not { } y ? a : x.CompareTo(y) >= 0 ? x : y;

    private void Enable(Instrument instrument, MeterListener listener)
    {
        // Only this server's meter: other servers in the same process (tests) have meters of the same name.
        if (instrument.Meter != _metrics.Meter)
        {
            return;
        }

        var kind = instrument.Name switch
        {
            ServerMetrics.AttemptsInstrument => Attempts,
            ServerMetrics.PollSettledInstrument => PollSettled,
            DeliveryReadings.BacklogInstrument => Backlog,
            DeliveryReadings.OldestPendingAgeInstrument => OldestPendingAge,
            _ => null,
        };
        if (kind is not null)
        {
            listener.EnableMeasurementEvents(instrument, kind);
        }
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? kind)
    {
        if (Tag(tags, "stream_id") is not { } streamId)
        {
            return;
        }

        if (kind == Backlog)
        {
            Sample(streamId, value > 0, static (minutes, minute, value) => minutes.SampleBacklog(minute, value), value);
            return;
        }

        var delivered = kind == Attempts
            ? Tag(tags, "outcome") == ServerMetrics.PushOutcomes.Success
            : Tag(tags, "outcome") == ServerMetrics.PollOutcomes.Acknowledged;
        var minute = MinuteOf(_time.GetUtcNow());
        _streams.GetOrAdd(streamId, static (_, m) => new StreamMinutes(m), minute)
            .Count(minute, delivered ? value : 0, delivered ? 0 : value);
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? kind)
    {
        if (kind == OldestPendingAge && double.IsFinite(value) && value >= 0 && Tag(tags, "stream_id") is { } streamId)
        {
            Sample(streamId, value > 0, static (minutes, minute, value) => minutes.SampleLag(minute, value), value);
        }
    }

    /// <summary>A sample of the minute being written; a stream seen for the first time only when it has something pending.</summary>
    private void Sample<T>(string streamId, bool pending, Action<StreamMinutes, long, T> record, T value)
    {
        var minute = Volatile.Read(ref _sampleMinute);
        var minutes = pending ? _streams.GetOrAdd(streamId, static (_, m) => new StreamMinutes(m), minute) : _streams.GetValueOrDefault(streamId);
        if (minutes is not null)
        {
            record(minutes, minute, value);
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private static IReadOnlyDictionary<string, StreamHistoryRow[]> ByStream(IEnumerable<StreamHistoryRow> rows) =>
        rows.GroupBy(r => r.StreamId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary>Minutes since the Unix epoch.</summary>
    private static long MinuteOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 60;

    private static DateTimeOffset StartOf(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write this node's delivery history; its minutes are kept and written with the next")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The delivery history's minute failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the nodes' delivery history; the charts show the last reading")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    /// <summary>What the charts are drawn from, replaced whole once a minute.</summary>
    /// <param name="Loaded">Whether the day has been read from the store.</param>
    /// <param name="TakenThrough">The last minute taken out of the rings: later ones are read from there.</param>
    /// <param name="Minutes">Every node's minutes of the last hour and a bit, per stream.</param>
    /// <param name="Quarters">Every node's quarter hours of the day, per stream.</param>
    /// <param name="Unwritten">This node's minutes the store has not taken yet.</param>
    /// <param name="NotInViews">This node's minutes taken from the rings but not in the views.</param>
    private sealed record HistoryState(
        bool Loaded,
        long TakenThrough,
        IReadOnlyDictionary<string, StreamHistoryRow[]> Minutes,
        IReadOnlyDictionary<string, StreamHistoryRow[]> Quarters,
        List<StreamHistoryRow> Unwritten,
        IReadOnlyDictionary<string, StreamHistoryRow[]> NotInViews)
    {
        private static readonly IReadOnlyDictionary<string, StreamHistoryRow[]> None = new Dictionary<string, StreamHistoryRow[]>(StringComparer.Ordinal);

        /// <summary>The minute running when <see cref="HourCharts"/> and <see cref="DayCharts"/> were made.</summary>
        public long Current { get; init; } = long.MinValue;

        public Charts HourCharts { get; init; } = Charts.None;

        public Charts DayCharts { get; init; } = Charts.None;

        public static HistoryState Empty(long takenThrough) => new(false, takenThrough, None, None, [], None);
    }

    /// <summary>One range's charts as the store and the unwritten minutes make them, and an empty one for every other stream.</summary>
    private sealed record Charts(IReadOnlyDictionary<string, HistoryPoint[]> ByStream, HistoryPoint[] Empty)
    {
        public static readonly Charts None = new(new Dictionary<string, HistoryPoint[]>(StringComparer.Ordinal), []);
    }

    /// <summary>A chart made once a minute, shared by every read, with its last point (the minute running) as of this read.</summary>
    private sealed class ChartView(HistoryPoint[] points, HistoryPoint last) : IReadOnlyList<HistoryPoint>
    {
        public int Count => points.Length;

        public HistoryPoint this[int index] => index == points.Length - 1 ? last : points[index];

        public IEnumerator<HistoryPoint> GetEnumerator()
        {
            for (var i = 0; i < points.Length; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
