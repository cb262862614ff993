using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>
/// What happened to each delivery (docs/API.md, "Events"): every push attempt kept with its entry and
/// shown in the event view, and a stream failing for too long raising a warning and a gauge; a real
/// receiver on loopback answers, a manual clock moves the retries.
/// </summary>
public sealed class DeliveryHistoryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogCollector _logs;
    private SsfTestServer _server = null!;
    private RecordingReceiver _endpoint = null!;
    private HttpClient _client = null!;

    public DeliveryHistoryTests() =>
        _logs = new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions { TimeProvider = _time }));

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(
            new Dictionary<string, string?>
            {
                ["SharpSignals:Push:FailingWarningSeconds"] = "60",
                ["SharpSignals:Push:MaxRetrySeconds"] = "600",
                ["SharpSignals:DeliveryHistory:AttemptsKept"] = "4",
            },
            _time,
            services => services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(_logs)));
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
    public async Task EventView_ShowsARefusalThenAnOutageThenTheDelivery_WithWhatTheReceiverAnswered()
    {
        _endpoint.Respond = (n, _) => n switch
        {
            0 => (400, """{"err":"invalid_key","description":"unknown kid"}""", null),
            1 => (503, """{"message":"down for maintenance"}""", new Dictionary<string, string> { ["Retry-After"] = "30" }),
            _ => (202, null, null),
        };
        var streamId = await PushStreamAsync();
        var jti = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());

        var refused = await DeliveryAsync(jti, d => (string?)d["state"] == "dead_letter", "the refusal to make a dead letter");
        using (var retry = await _server.Admin.PostAsJsonAsync($"/admin/streams/{streamId}/deadletters/retry", new { jtis = new[] { (string)refused["jti"]! } }))
        {
            retry.EnsureSuccessStatusCode();
        }

        await _endpoint.WaitForAsync(2);
        await Eventually.TrueAsync(async () => (await DeliveryAsync(jti)).Attempts().Count == 2, "the outage to be recorded");

        // The lane may not have started waiting out Retry-After yet when the attempt is recorded, so the
        // clock keeps moving until the delivery happens (one step alone could come before the timer).
        await Eventually.TrueAsync(
            async () => (string?)(await DeliveryAsync(jti))["state"] == "delivered",
            "the delivery after the outage",
            meanwhile: () => _time.Advance(TimeSpan.FromSeconds(31)),
            every: TimeSpan.FromMilliseconds(50));
        var delivered = await DeliveryAsync(jti);

        // Refused: its one attempt, with the receiver's err and answer.
        Assert.Equal(1, (int)refused["attempts"]!);
        var refusal = Assert.Single(refused.Attempts());
        Assert.Equal((400, "invalid_key", "unknown kid"), ((int)refusal["status"]!, (string?)refusal["err"], (string?)refusal["description"]));
        Assert.Contains("invalid_key", (string?)refusal["response"], StringComparison.Ordinal);

        // Queued again by the retry, it counts its attempts afresh and still shows the refusal before them.
        var attempts = delivered.Attempts();
        Assert.Equal(2, (int)delivered["attempts"]!);
        Assert.Equal([400, 503, 202], attempts.Select(a => (int)a["status"]!));
        Assert.Null(attempts[1]["err"]);
        Assert.Equal("""{"message":"down for maintenance"}""", (string?)attempts[1]["response"]);
        Assert.Null(attempts[2]["response"]);
        Assert.All(attempts, a => Assert.True((double)a["duration_ms"]! >= 0));
        Assert.True((double)attempts[2]["at"]! >= (double)attempts[1]["at"]! + 30);
    }

    [Fact]
    public async Task RetriesExhausted_TheDeadLetterShowsItsAttempts_TheLastFewKept()
    {
        _endpoint.Respond = (_, _) => (500, "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln broke", null);
        await PushStreamAsync();
        var jti = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());

        await Eventually.TrueAsync(
            async () => (string?)(await DeliveryAsync(jti))["state"] == "dead_letter",
            "the retries to run out",
            meanwhile: () => _time.Advance(TimeSpan.FromSeconds(30)),
            every: TimeSpan.FromMilliseconds(50));
        var dead = await DeliveryAsync(jti);

        var attempts = dead.Attempts();
        Assert.StartsWith("retries_exhausted", (string?)dead["last_error"], StringComparison.Ordinal);
        Assert.True((int)dead["attempts"]! > 4, $"{dead["attempts"]} attempts");
        Assert.Equal(4, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(500, (int)a["status"]!));
        Assert.All(attempts, a => Assert.Equal("Bearer [masked] broke", (string?)a["response"]));
    }

    [Fact]
    public async Task FailingStream_WarnsOncePastTheSetting_AndShowsOnTheGaugeUntilItDelivers()
    {
        var failing = true;
        _endpoint.Respond = (_, _) => failing ? (503, null, new Dictionary<string, string> { ["Retry-After"] = "20" }) : (202, null, null);
        using var gauge = new MetricCollector<double>(_server.Factory.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), FailingStreams.MeterName, FailingStreams.DurationInstrument);
        var streamId = await PushStreamAsync();
        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());
        await _endpoint.WaitForAsync(1);
        await Eventually.TrueAsync(() => Observed(gauge, streamId) is not null, "the stream to show as failing");
        var first = Observed(gauge, streamId)!;
        var since = _time.GetUtcNow() - TimeSpan.FromSeconds(first.Value);

        // The clock moves in steps, so that each retry falls due; the warning comes once, past 60 s.
        await Eventually.TrueAsync(() => Warnings(streamId).Count == 1, "the warning", meanwhile: () => _time.Advance(TimeSpan.FromSeconds(5)), every: TimeSpan.FromMilliseconds(50));
        var warnedAfter = Warnings(streamId)[0].Timestamp - since;
        var duration = Observed(gauge, streamId)!;
        failing = false;
        await Eventually.TrueAsync(() => Observed(gauge, streamId) is null, "the stream to deliver and leave the gauge", meanwhile: () => _time.Advance(TimeSpan.FromSeconds(5)), every: TimeSpan.FromMilliseconds(50));

        Assert.Equal("p1", first.Tags["project"]);
        Assert.InRange(warnedAfter, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(65));
        Assert.InRange(duration.Value, 60, 65);
        Assert.Single(Warnings(streamId));
        Assert.True(_endpoint.Received.Count >= 3, $"{_endpoint.Received.Count} pushes: failed ones, then the delivery");
    }

    /// <summary>What the gauge says of the stream now; null when it has no value for it (not failing).</summary>
    private static CollectedMeasurement<double>? Observed(MetricCollector<double> gauge, string streamId)
    {
        gauge.Clear();
        gauge.RecordObservableInstruments();
        return gauge.GetMeasurementSnapshot().LastOrDefault(m => Equals(m.Tags["stream"], streamId));
    }

    private List<FakeLogRecord> Warnings(string streamId) =>
        [.. _logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains($"Stream {streamId} ", StringComparison.Ordinal) && r.Message.Contains("pushes have failed", StringComparison.Ordinal))];

    private async Task<string> PushStreamAsync()
    {
        var created = await SsfTestServer.CreateStreamAsync(_client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
        });
        return (string)created["stream_id"]!;
    }

    /// <summary>The event's one delivery, as <c>GET /events/{jti}</c> shows it.</summary>
    private async Task<JsonObject> DeliveryAsync(string jti)
    {
        var stored = await _client.GetFromJsonAsync<JsonObject>($"/events/{jti}");
        return Assert.Single(stored!["deliveries"]!.AsArray())!.AsObject();
    }

    private Task<JsonObject> DeliveryAsync(string jti, Func<JsonObject, bool> until, string what) =>
        Eventually.GetAsync(() => DeliveryAsync(jti), until, what, describe: d => d.ToJsonString());
}

internal static class DeliveryViewExtensions
{
    public static IReadOnlyList<JsonNode> Attempts(this JsonObject delivery) =>
        [.. delivery["attempt_log"]!.AsArray().OfType<JsonNode>()];
}
