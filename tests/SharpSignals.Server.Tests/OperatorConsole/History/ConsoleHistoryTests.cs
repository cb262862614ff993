using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.OperatorConsole.History;

/// <summary>
/// The console charts' data (docs/OPERATIONS.md, "Console history") on a real server: pushes to a real
/// receiver on loopback and polls over HTTP are counted in their minute, the minutes are written to
/// the store and read back, and a restart keeps them. A manual clock moves the minutes.
/// </summary>
public sealed class ConsoleHistoryTests : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Five seconds into a quarter hour: the test's few minutes stay in one quarter.</summary>
    private readonly FakeTimeProvider _time = new(QuarterStart(DateTimeOffset.UtcNow) + TimeSpan.FromSeconds(5));
    private SsfTestServer _server = null!;
    private RecordingReceiver _endpoint = null!;
    private HttpClient _client = null!;

    private DateTimeOffset M0 => QuarterStart(_time.GetUtcNow());

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(
            new Dictionary<string, string?>
            {
                ["SharpSignals:Push:InitialBackoffSeconds"] = "1",
                ["SharpSignals:Telemetry:BacklogRefreshSeconds"] = "1",
            },
            _time);
        _endpoint = await RecordingReceiver.StartAsync();
        (_client, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Push_2xxIsDeliveredAndA503Failed_EachInItsMinute_WrittenToTheStore_AndAddedUpInTheDay()
    {
        var m0 = M0;
        _endpoint.Respond = (n, _) => n == 1 ? (503, null, null) : (202, null, null);
        var streamId = await PushStreamAsync();

        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        var first = await PointAsync(streamId, m0, p => p.Delivered == 1, "the delivery in the first minute");

        _time.Advance(Minute);
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(2);
        var failed = await PointAsync(streamId, m0 + Minute, p => p.Failed == 1, "the 503 in the second minute");

        // The retry falls due in the third minute and is delivered there; the clock moves a second at a
        // time, in case the retry's wait began after the minute's step.
        _time.Advance(TimeSpan.FromSeconds(56));
        await Eventually.TrueAsync(() => _endpoint.Received.Count >= 3, "the retry", meanwhile: () => _time.Advance(TimeSpan.FromSeconds(1)), every: TimeSpan.FromMilliseconds(200));
        await PointAsync(streamId, m0 + (2 * Minute), p => p.Delivered == 1, "the retry in the third minute");
        var stored = await Eventually.GetAsync(
            async () => await Store.ReadStreamHistoryAsync(m0, Minute, CancellationToken.None),
            rows => rows.Count(r => r.StreamId == streamId) >= 2,
            "the two finished minutes to be written");
        var hour = History.Read(streamId, HistoryRange.Hour);
        var day = History.Read(streamId, HistoryRange.Day);

        Assert.Equal((1, 0, 0d), (first.Delivered, first.Failed, first.ErrorRate));
        Assert.Equal((0, 1, 1d), (failed.Delivered, failed.Failed, failed.ErrorRate));
        Assert.Equal([(m0, 1L, 0L), (m0 + Minute, 0L, 1L)], stored.Where(r => r.StreamId == streamId).Select(r => (r.Start, r.Delivered, r.Failed)));
        Assert.Equal(60, hour.Count);
        Assert.Equal(m0 + (2 * Minute), hour[^1].Start);
        Assert.Equal([1L, 0L, 1L], hour.TakeLast(3).Select(p => p.Delivered));
        Assert.Equal(0, hour.Take(57).Sum(p => p.Delivered + p.Failed));
        Assert.Equal(96, day.Count);
        Assert.Equal((m0, 2L, 1L), (day[^1].Start, day[^1].Delivered, day[^1].Failed));
        Assert.Equal(1 / 3d, day[^1].ErrorRate!.Value, 6);
        Assert.Contains(streamId, History.ReadAll(HistoryRange.Hour).Keys);
    }

    [Fact]
    public async Task Poll_AcknowledgedEntriesAreDelivered_SetErrsFailed()
    {
        var streamId = await PollStreamAsync();
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("a@example.com"));
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("b@example.com"));
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("c@example.com"));
        var jtis = (await SsfTestServer.PollAsync(_client, streamId, new { returnImmediately = true }))["sets"]!.AsObject().Select(s => s.Key).ToArray();

        await SsfTestServer.PollAsync(_client, streamId, new
        {
            returnImmediately = true,
            ack = jtis[..2],
            setErrs = new Dictionary<string, object> { [jtis[2]] = new { err = "invalid_request", description = "unexpected" } },
        });

        var point = await PointAsync(streamId, M0, p => p.Delivered + p.Failed == 3, "the poll's acknowledgements");
        Assert.Equal((2, 1), (point.Delivered, point.Failed));
    }

    [Fact]
    public async Task Backlog_IsSampledIntoTheMinuteThatEnded()
    {
        var streamId = await PollStreamAsync();
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("a@example.com"));
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("b@example.com"));

        // The backlog gauges are read from the store in the background: the first minutes may show
        // their earlier reading; the minutes move on until a sample shows both entries.
        HistoryPoint sampled = default;
        await Eventually.TrueAsync(
            () =>
            {
                sampled = History.Read(streamId, HistoryRange.Hour).LastOrDefault(p => p.Backlog is not null);
                return sampled.Backlog == 2;
            },
            "a minute with the backlog sampled",
            seen: () => sampled.ToString(),
            meanwhile: () => _time.Advance(Minute),
            every: TimeSpan.FromMilliseconds(1500));

        Assert.NotNull(sampled.LagSeconds);
        Assert.Equal((0, 0), (sampled.Delivered, sampled.Failed));
    }

    [Fact]
    public async Task Restart_KeepsTheHistory_CountsOnceEach()
    {
        var m0 = M0;
        var streamId = await PushStreamAsync();
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        await PointAsync(streamId, m0, p => p.Delivered == 1, "the delivery");

        // Stopped within the minute: what it counted of the minute running is written on the way out.
        _client.Dispose();
        _server = await _server.RestartAsync();
        (_client, _, _) = await _server.RegisterClientAsync();
        var afterRestart = await PointAsync(streamId, m0, p => p.Delivered == 1, "the delivery after the restart");
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(2);
        await PointAsync(streamId, m0, p => p.Delivered == 2, "the second delivery in the same minute");
        _time.Advance(Minute);
        await Eventually.TrueAsync(
            async () => (await Store.ReadStreamHistoryAsync(m0, Minute, CancellationToken.None)).Any(r => r.StreamId == streamId && r.Delivered == 2),
            "the minute to be written whole");

        Assert.Equal(1, afterRestart.Delivered);
        Assert.Equal(2, (await PointAsync(streamId, m0, _ => true, "the minute")).Delivered);
    }

    private DeliveryHistory History => _server.Factory.Services.GetRequiredService<DeliveryHistory>();

    private ISharpSignalsStore Store => _server.Factory.Services.GetRequiredService<ISharpSignalsStore>();

    private static DateTimeOffset QuarterStart(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds() / 900 * 900);

    /// <summary>The hour chart's point of the minute that began at <paramref name="start"/>, once it satisfies <paramref name="until"/>.</summary>
    private Task<HistoryPoint> PointAsync(string streamId, DateTimeOffset start, Func<HistoryPoint, bool> until, string what) =>
        Eventually.GetAsync(
            () => Task.FromResult(History.Read(streamId, HistoryRange.Hour).Single(p => p.Start == start)),
            until,
            what,
            describe: p => p.ToString());

    private async Task<string> PushStreamAsync() =>
        (string)(await SsfTestServer.CreateStreamAsync(_client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
        }))["stream_id"]!;

    private async Task<string> PollStreamAsync() =>
        (string)(await SsfTestServer.CreateStreamAsync(_client, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;
}
