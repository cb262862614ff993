using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace SharpSignals.Server.Telemetry;

/// <summary>
/// The server's instruments on the meter <see cref="MeterName"/>, created through
/// <see cref="IMeterFactory"/> (docs/OPERATIONS.md, "Metrics and traces", has the table). The
/// counters and histograms the request and delivery paths record are here; the folders that keep a
/// state (the backlog, the leases, the intake hold) publish it as observable instruments on
/// <see cref="Meter"/>, read when a collection asks, so nothing is counted twice. Labels carry
/// stream ids, projects and outcomes only: never a token, a credential or a URL.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>
    /// The server's meter. Every meter and activity source of the project is named
    /// <c>SharpSignals</c> or <c>SharpSignals.&lt;Part&gt;</c>, and the exporters subscribe to
    /// <see cref="Wildcard"/>, so a part's own meter is exported without further wiring.
    /// </summary>
    public const string MeterName = "SharpSignals";

    /// <summary>What the exporters subscribe to: every meter and activity source of the project.</summary>
    public const string Wildcard = "SharpSignals*";

    /// <summary>Push attempts per stream and outcome (<see cref="PushOutcomes"/>).</summary>
    public const string AttemptsInstrument = "sharpsignals.delivery.attempts";

    /// <summary>Requests push streams made to their receiver's token endpoint, per stream and outcome (<see cref="TokenOutcomes"/>).</summary>
    public const string TokenRequestsInstrument = "sharpsignals.delivery.token_requests";

    /// <summary>Entries poll receivers settled per stream and outcome (<see cref="PollOutcomes"/>).</summary>
    public const string PollSettledInstrument = "sharpsignals.poll.settled";

    /// <summary>Durations in seconds, from a fast local push to a slow receiver's time-out.</summary>
    private static readonly InstrumentAdvice<double> DurationBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private readonly Counter<long> _published;
    private readonly Counter<long> _received;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _pollSettled;
    private readonly Counter<long> _tokenRequests;
    private readonly UpDownCounter<long> _connections;
    private readonly UpDownCounter<long> _subscriptions;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _dropped;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _openConnections = new(StringComparer.Ordinal);

    public ServerMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _published = Meter.CreateCounter<long>("sharpsignals.events.published", "{event}", "Events offered to POST /events, by project and outcome (accepted, refused, busy).");
        _received = Meter.CreateCounter<long>("sharpsignals.sets.received", "{set}", "SETs received on inbound streams, pushed or polled, by outcome and RFC 8935 err.");
        _attempts = Meter.CreateCounter<long>(AttemptsInstrument, "{attempt}", "Push attempts per stream by outcome: 2xx, err, 4xx, 5xx, timeout, network, token.");
        _attemptDuration = Meter.CreateHistogram("sharpsignals.delivery.duration", "s", "How long each push attempt took, per stream and outcome.", advice: DurationBuckets);
        _tokenRequests = Meter.CreateCounter<long>(TokenRequestsInstrument, "{request}", "Access tokens push streams asked their receiver's token endpoint for, by outcome: fetched, renewed (after a 401), failed.");
        _pollSettled = Meter.CreateCounter<long>(PollSettledInstrument, "{entry}", "Entries poll receivers settled per stream: acknowledged (ack) or reported in setErrs (err).");
        _connections = Meter.CreateUpDownCounter<long>("sharpsignals.realtime.connections", "{connection}", "Open WebSocket and SSE connections.");
        _subscriptions = Meter.CreateUpDownCounter<long>("sharpsignals.realtime.subscriptions", "{subscription}", "Live stream and topic subscriptions.");
        _sent = Meter.CreateCounter<long>("sharpsignals.realtime.messages.sent", "{message}", "Frames queued to real-time subscribers.");
        _dropped = Meter.CreateCounter<long>("sharpsignals.realtime.messages.dropped", "{message}", "Frames not sent because the subscriber fell behind (its connection is then closed).");
    }

    /// <summary>The meter the folders add their observable instruments to.</summary>
    public Meter Meter { get; }

    /// <summary>A publish was accepted, refused or turned away (<see cref="Outcomes"/>).</summary>
    public void Published(string project, string outcome)
    {
        if (_published.Enabled)
        {
            _published.Add(1, new KeyValuePair<string, object?>("project", project), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>A SET arrived on an inbound stream; <paramref name="err"/> is the RFC 8935 error code of a refusal.</summary>
    public void Received(string streamId, string project, string outcome, string? err)
    {
        if (_received.Enabled)
        {
            var tags = new TagList { { "stream_id", streamId }, { "project", project }, { "outcome", outcome } };
            if (err is not null)
            {
                tags.Add("err", err);
            }

            _received.Add(1, tags);
        }
    }

    /// <summary>One push attempt and how long it took; <paramref name="outcome"/> is one of <see cref="PushOutcomes"/>.</summary>
    public void PushAttempt(string streamId, string project, string outcome, TimeSpan duration)
    {
        if (_attempts.Enabled || _attemptDuration.Enabled)
        {
            var tags = new TagList { { "stream_id", streamId }, { "project", project }, { "outcome", outcome } };
            _attempts.Add(1, tags);
            _attemptDuration.Record(duration.TotalSeconds, tags);
        }
    }

    /// <summary>A push stream asked its receiver's token endpoint for an access token; <paramref name="outcome"/> is one of <see cref="TokenOutcomes"/>.</summary>
    public void TokenRequest(string streamId, string project, string outcome)
    {
        if (_tokenRequests.Enabled)
        {
            _tokenRequests.Add(1, new TagList { { "stream_id", streamId }, { "project", project }, { "outcome", outcome } });
        }
    }

    /// <summary>A poll settled entries of a stream: <paramref name="acknowledged"/> by <c>ack</c>, <paramref name="failed"/> by <c>setErrs</c> (RFC 8936 §2.4).</summary>
    public void PollSettled(string streamId, string project, int acknowledged, int failed)
    {
        if (!_pollSettled.Enabled)
        {
            return;
        }

        if (acknowledged > 0)
        {
            _pollSettled.Add(acknowledged, new TagList { { "stream_id", streamId }, { "project", project }, { "outcome", PollOutcomes.Acknowledged } });
        }

        if (failed > 0)
        {
            _pollSettled.Add(failed, new TagList { { "stream_id", streamId }, { "project", project }, { "outcome", PollOutcomes.Err } });
        }
    }

    /// <summary>A real-time connection opened (+1) or closed (-1); <paramref name="transport"/> is <c>websocket</c> or <c>sse</c>.</summary>
    public void RealtimeConnections(string transport, int change)
    {
        _connections.Add(change, new KeyValuePair<string, object?>("transport", transport));
        Interlocked.Add(ref _openConnections.GetOrAdd(transport, static _ => new StrongBox<long>()).Value, change);
    }

    /// <summary>The real-time connections open on this node now, per transport (the console's Realtime page).</summary>
    public IEnumerable<(string Transport, long Open)> OpenRealtimeConnections =>
        _openConnections.Select(c => (c.Key, Interlocked.Read(ref c.Value.Value)));

    /// <summary>A subscription began (+1) or ended (-1); <paramref name="kind"/> is <c>stream</c> or <c>topic</c>.</summary>
    public void RealtimeSubscriptions(string kind, int change) =>
        _subscriptions.Add(change, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A frame was queued for a subscriber, or dropped because its buffer was full.</summary>
    public void RealtimeMessage(string transport, bool sent)
    {
        var counter = sent ? _sent : _dropped;
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("transport", transport));
        }
    }

    /// <summary>The <c>outcome</c> label of intake counters.</summary>
    public static class Outcomes
    {
        public const string Accepted = "accepted";
        public const string Duplicate = "duplicate";
        public const string Refused = "refused";

        /// <summary>Not taken now (the intake gate was full, delivery is behind, keys not fetched yet): send again.</summary>
        public const string Busy = "busy";
    }

    /// <summary>The <c>outcome</c> label of push attempts (docs/OPERATIONS.md, "Metrics and traces").</summary>
    public static class PushOutcomes
    {
        public const string Success = "2xx";

        /// <summary>400 with an RFC 8935 <c>err</c>.</summary>
        public const string Err = "err";

        public const string ClientError = "4xx";
        public const string ServerError = "5xx";
        public const string Timeout = "timeout";
        public const string Network = "network";

        /// <summary>No push was sent: the receiver's token endpoint gave no access token.</summary>
        public const string Token = "token";
    }

    /// <summary>The <c>outcome</c> label of token requests.</summary>
    public static class TokenOutcomes
    {
        /// <summary>A token got because none was held or the one held was about to expire.</summary>
        public const string Fetched = "fetched";

        /// <summary>A token got because the receiver answered 401 to the one held.</summary>
        public const string Renewed = "renewed";

        /// <summary>The token endpoint failed or answered without a usable token.</summary>
        public const string Failed = "failed";
    }

    /// <summary>The <c>outcome</c> label of settled poll entries.</summary>
    public static class PollOutcomes
    {
        /// <summary>Acknowledged: delivered.</summary>
        public const string Acknowledged = "ack";

        /// <summary>Reported in <c>setErrs</c>: a dead letter.</summary>
        public const string Err = "err";
    }
}
