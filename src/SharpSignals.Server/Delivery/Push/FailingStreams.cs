using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// Push streams whose receiver is failing, and since when: a failing period starts with a push that
/// is to be retried (an error status, a time-out, no connection) and ends with the next delivered
/// push or when the stream has nothing left to push. A period longer than
/// <see cref="PushOptions.FailingWarningSeconds"/> logs one warning; every period shows on the gauge
/// <c>sharpsignals.stream.failing.duration</c> (seconds, labels <c>stream</c> and <c>project</c>;
/// a stream that is not failing has no value), for an alert. A refusal (400 with an RFC 8935
/// <c>err</c>) starts none: the receiver answered, and the dead letter counts show it.
/// </summary>
internal sealed partial class FailingStreams : IDisposable
{
    /// <summary>The meter, shared with the other delivery instruments: OpenTelemetry listens to <c>SharpSignals*</c>.</summary>
    public const string MeterName = "SharpSignals.Delivery";

    public const string DurationInstrument = "sharpsignals.stream.failing.duration";

    private readonly ConcurrentDictionary<string, Period> _failing = new(StringComparer.Ordinal);
    private readonly Meter _meter;
    private readonly IOptions<PushOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FailingStreams> _logger;

    public FailingStreams(IMeterFactory meters, IOptions<PushOptions> options, TimeProvider time, ILogger<FailingStreams> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge(
            DurationInstrument,
            Observe,
            unit: "s",
            description: "How long the stream's pushes have been failing, since the first push of the period that is to be retried.");
    }

    /// <summary>A push of the stream failed and will be retried: starts a failing period unless one is running.</summary>
    public void Failed(string streamId, string project, string error)
    {
        var period = _failing.GetOrAdd(streamId, static (id, state) => new Period(id, state.project, state.self._time.GetUtcNow()), (project, self: this));
        period.LastError = error;
        period.StartTimer(() => _time.CreateTimer(Warn, period, TimeSpan.FromSeconds(_options.Value.FailingWarningSeconds), Timeout.InfiniteTimeSpan));
    }

    /// <summary>The stream delivered again, or has nothing left to push: ends its failing period.</summary>
    public void Recovered(string streamId)
    {
        if (_failing.TryRemove(streamId, out var period))
        {
            period.End();
            if (period.Warned)
            {
                var seconds = (_time.GetUtcNow() - period.Since).TotalSeconds;
                LogRecovered(_logger, streamId, seconds);
            }
        }
    }

    /// <summary>Since when the stream's pushes from this node have been failing; null when they are not.</summary>
    public DateTimeOffset? FailingSince(string streamId) => _failing.TryGetValue(streamId, out var period) ? period.Since : null;

    /// <summary>The stream's worker stopped here (the stream changed, or another node took it): it no longer reports.</summary>
    public void Forget(string streamId)
    {
        if (_failing.TryRemove(streamId, out var period))
        {
            period.End();
        }
    }

    public void Dispose()
    {
        foreach (var period in _failing.Values)
        {
            period.End();
        }

        _meter.Dispose();
    }

    private void Warn(object? state)
    {
        var period = (Period)state!;
        if (_failing.TryGetValue(period.StreamId, out var current) && ReferenceEquals(current, period))
        {
            period.Warned = true;
            var seconds = (_time.GetUtcNow() - period.Since).TotalSeconds;
            LogFailing(_logger, period.StreamId, period.Project, seconds, period.LastError);
        }
    }

    private IEnumerable<Measurement<double>> Observe()
    {
        var now = _time.GetUtcNow();
        foreach (var period in _failing.Values)
        {
            yield return new Measurement<double>(
                (now - period.Since).TotalSeconds,
                new KeyValuePair<string, object?>("stream", period.StreamId),
                new KeyValuePair<string, object?>("project", period.Project));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} (project {Project}): pushes have failed for {Seconds:0} s; last: {Error}. Its event view (GET /events/{{jti}}, ssf event get) shows what the receiver answered")]
    private static partial void LogFailing(ILogger logger, string streamId, string project, double seconds, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: pushes succeed again after failing for {Seconds:0} s")]
    private static partial void LogRecovered(ILogger logger, string streamId, double seconds);

    private sealed class Period(string streamId, string project, DateTimeOffset since)
    {
        public string StreamId { get; } = streamId;

        public string Project { get; } = project;

        public DateTimeOffset Since { get; } = since;

        private readonly Lock _gate = new();
        private ITimer? _timer;
        private bool _ended;

        public string? LastError { get; set; }

        public bool Warned { get; set; }

        /// <summary>Starts the period's one warning timer, once.</summary>
        public void StartTimer(Func<ITimer> create)
        {
            lock (_gate)
            {
                if (_timer is null && !_ended)
                {
                    _timer = create();
                }
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _ended = true;
                _timer?.Dispose();
            }
        }
    }
}
