using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Telemetry;

/// <summary>
/// <c>/metrics</c> (docs/OPERATIONS.md, "Metrics and traces"): after publishing, pushing to a real
/// receiver on loopback and receiving from a source, a scrape shows each metric with its value.
/// Each test uses its own project and streams, so the labels pick out its own series.
/// </summary>
[Collection(TelemetryCollectionDefinition.Name)]
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> FastBacklog = new() { ["SharpSignals:Telemetry:BacklogRefreshSeconds"] = "1" };

    private readonly string _project = "tm" + Guid.NewGuid().ToString("N")[..10];
    private SsfTestServer _server = null!;
    private RecordingReceiver _receiver = null!;
    private TestTransmitter _source = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(FastBacklog);
        _receiver = await RecordingReceiver.StartAsync();
        _source = await TestTransmitter.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Scrape_AfterPublishingPushingAndReceiving_ShowsEachMetricWithItsValue()
    {
        // The second push is refused with an RFC 8935 err; every other is taken.
        _receiver.Respond = (n, _) => n == 1 ? (400, """{"err":"invalid_audience","description":"not for us"}""", null) : (202, null, null);
        var (client, _, _) = await _server.RegisterClientAsync(_project);
        var push = (string)(await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url() },
        }))["stream_id"]!;
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = _source.Issuer },
        });
        var inboundId = (string)inbound["stream_id"]!;
        var credential = (string)inbound["delivery"]!["authorization_header"]!;

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        await _receiver.WaitForAsync(1);
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        await _receiver.WaitForAsync(2);
        using (var refused = await client.PostAsync(new Uri("/events", UriKind.Relative), new StringContent("""{"events":{}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var accepted = await PushToInboundAsync(inboundId, credential, _source.Sign(ServerFactory.Issuer)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var wrongAudience = await PushToInboundAsync(inboundId, credential, _source.Sign("https://elsewhere.example")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongAudience.StatusCode);
        }

        var streamLabels = new[] { ("stream_id", push), ("project", _project) };
        var text = await Eventually.GetAsync(
            ScrapeAsync,
            t => Value(t, "sharpsignals_delivery_attempts_total", [.. streamLabels, ("outcome", "2xx")]) == 1
                && Value(t, "sharpsignals_stream_dead_letters", streamLabels) == 1,
            "the push attempts and the dead letter to show",
            describe: t => string.Join("\n", t.Split("\n").Where(l => l.StartsWith("sharpsignals", StringComparison.Ordinal)).Take(60)));

        Assert.Equal(2, Value(text, "sharpsignals_events_published_total", ("project", _project), ("outcome", "accepted")));
        Assert.Equal(1, Value(text, "sharpsignals_events_published_total", ("project", _project), ("outcome", "refused")));
        Assert.Equal(1, Value(text, "sharpsignals_sets_received_total", ("stream_id", inboundId), ("outcome", "accepted")));
        Assert.Equal(1, Value(text, "sharpsignals_sets_received_total", ("stream_id", inboundId), ("outcome", "refused"), ("err", "invalid_audience")));
        Assert.Equal(1, Value(text, "sharpsignals_delivery_attempts_total", [.. streamLabels, ("outcome", "err")]));
        Assert.Equal(2, Value(text, "sharpsignals_delivery_duration_seconds_count", streamLabels));
        Assert.Equal(0, Value(text, "sharpsignals_stream_backlog", streamLabels));
        Assert.Equal(0, Value(text, "sharpsignals_stream_oldest_pending_age_seconds", streamLabels));
        Assert.True(Value(text, "sharpsignals_storage_commit_batch_size_count", ("db_system", "sqlite")) >= 1);
        Assert.True(Value(text, "sharpsignals_storage_commit_duration_seconds_count", ("db_system", "sqlite")) >= 1);
        Assert.True(Value(text, "sharpsignals_storage_commits_total") >= 1);
        Assert.True(Value(text, "sharpsignals_storage_writes_total") >= Value(text, "sharpsignals_storage_commits_total"));
        Assert.True(Value(text, "sharpsignals_cluster_leases", ("work", "push")) >= 1);
        Assert.Equal(0, Value(text, "sharpsignals_intake_held_total"));
        Assert.Equal(0, Value(text, "sharpsignals_intake_turned_away_total"));
        Assert.True(Value(text, "http_server_request_duration_seconds_count") >= 1);

        // The labels hold stream ids and projects, never a credential.
        Assert.DoesNotContain(credential, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_WithAnSseSubscriber_CountsItsConnectionSubscriptionAndMessages()
    {
        var (client, _, _) = await _server.RegisterClientAsync(_project);
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(client, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        using var http = _server.Factory.CreateClient();

        using (var sse = await Realtime.StreamSseTests.OpenAsync(http, streamId, token, lastEventId: null))
        {
            Assert.Equal("set", (await sse.NextAsync()).Event);
            var text = await Eventually.GetAsync(
                ScrapeAsync,
                t => Value(t, "sharpsignals_realtime_messages_sent_total", ("transport", "sse")) == 1,
                "the SSE frame to be counted");
            Assert.Equal(1, Value(text, "sharpsignals_realtime_connections", ("transport", "sse")));
            Assert.Equal(1, Value(text, "sharpsignals_realtime_subscriptions", ("kind", "stream")));
            Assert.Equal(0, Value(text, "sharpsignals_realtime_messages_dropped_total"));
        }

        await Eventually.GetAsync(ScrapeAsync, t => Value(t, "sharpsignals_realtime_connections", ("transport", "sse")) == 0, "the closed connection to be counted off");
    }

    [Fact]
    public async Task Scrape_WhenTheAdminTokenIsRequired_IsRefusedWithoutIt()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Telemetry:Prometheus:RequireAdminToken"] = "true" });

        using var anonymous = await server.Factory.CreateClient().GetAsync(new Uri("/metrics", UriKind.Relative));
        using var admin = await server.Admin.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("sharpsignals_", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_OnItsOwnPort_IsNotFoundOnTheMainOne()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Telemetry:Prometheus:Port"] = "1" });

        using var response = await server.Factory.CreateClient().GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Scrape_WithoutFrameworkMetrics_HasOnlySharpSignalsAndNoHttpServerMetrics()
    {
        using (await _server.Factory.CreateClient().GetAsync(new Uri("/livez", UriKind.Relative)))
        {
        }

        Assert.Contains("http_server_request_duration", await Eventually.GetAsync(ScrapeAsync, t => t.Contains("http_server_request_duration", StringComparison.Ordinal), "the request to be measured"), StringComparison.Ordinal);

        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Telemetry:FrameworkMetrics"] = "false" });
        using (await server.Factory.CreateClient().GetAsync(new Uri("/livez", UriKind.Relative)))
        {
        }

        using var response = await server.Factory.CreateClient().GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("sharpsignals_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http_server_request_duration", text, StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await _server.Factory.CreateClient().GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<HttpResponseMessage> PushToInboundAsync(string streamId, string credential, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{streamId}") { Content = new StringContent(token, Encoding.ASCII) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.TryAddWithoutValidation("Authorization", credential);
        return await _server.Factory.CreateClient().SendAsync(request);
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Value(string text, string name, params (string Name, string Value)[] labels)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            if (labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var value = line.Contains('}', StringComparison.Ordinal) ? line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0] : parts[1];
                sum += double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
