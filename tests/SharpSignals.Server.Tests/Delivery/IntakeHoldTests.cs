using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>
/// Intake follows delivery (docs/OPERATIONS.md), over HTTP: a push stream falling behind on a machine short of
/// CPU holds its project's publishes, and only that project's. The shortage of CPU is the one thing
/// made up here; the stream, the slow receiver and its growing delay are real.
/// </summary>
public sealed class IntakeHoldTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private RecordingReceiver _endpoint = null!;
    private HttpClient _publisher = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(
            new Dictionary<string, string?>
            {
                ["SharpSignals:Ingest:HoldAfterDeliveryDelaySeconds"] = "0.05",
                ["SharpSignals:Ingest:MaxHoldSeconds"] = "0",
                ["SharpSignals:Push:BatchSize"] = "4",
            },
            services: s => s.AddSingleton<CpuPressure>(new ShortOfCpu()));
        _endpoint = await RecordingReceiver.StartAsync();
        (_publisher, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _publisher.Dispose();
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task StreamFallingBehind_TurnsItsProjectsPublishesAway_UntilItCatchesUp()
    {
        // 100 ms a push, four entries a batch: a backlog whose delay grows with every batch.
        _endpoint.Respond = (_, _) =>
        {
            // The slow receiver is the scenario, not a wait: its delay is what intake follows.
            Thread.Sleep(100);
            return (202, null, null);
        };
        await SsfTestServer.CreateStreamAsync(_publisher, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _endpoint.Url() },
        });

        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 1000 && refused is null; i++)
        {
            var response = await PublishAsync(_publisher, project: null);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted++;
                response.Dispose();
                // A steady publisher, not a wait: a little slower than at once, so that the delivery
                // delay grows over several batches instead of all publishes coming before the first.
                await Task.Delay(10);
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        // Another project has no stream behind: its publishes go on.
        using (var other = await PublishAsync(_server.Admin, project: "other"))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        }

        var metrics = await _server.Admin.GetFromJsonAsync<JsonObject>("/admin/metrics");
        Assert.True((long)metrics!["ingest_turned_away"]! >= 1);

        // The receiver speeds up; once the stream has caught up, the project's publishes are taken again.
        _endpoint.Respond = (_, _) => (202, null, null);
        await _endpoint.WaitForAsync(accepted, TimeSpan.FromSeconds(60));
        using var again = await RetryAsync(() => PublishAsync(_publisher, project: null), TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);

        // Nothing turned away was stored: the receiver gets exactly what was accepted.
        await _endpoint.WaitForAsync(accepted + 1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(
            async () => (await _server.Admin.GetFromJsonAsync<JsonArray>("/admin/streams"))!.All(s => (long)s!["pending"]! == 0),
            "every stored entry to be acknowledged, so that nothing more is pushed");
        Assert.Equal(accepted + 1, _endpoint.Received.Count);
    }

    private static Task<HttpResponseMessage> PublishAsync(HttpClient client, string? project) =>
        client.PostAsync(
            project is null ? "/events" : $"/events?project={project}",
            new StringContent(SsfTestServer.SessionRevoked(), Encoding.UTF8, "application/json"));

    /// <summary>The first answer that is not 503, sent again until <paramref name="within"/> runs out.</summary>
    private static Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> send, TimeSpan within) =>
        Eventually.GetAsync(
            send,
            response =>
            {
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    return true;
                }

                response.Dispose();
                return false;
            },
            "a publish that is not turned away",
            within);

    private sealed class ShortOfCpu() : CpuPressure(TimeProvider.System)
    {
        public override double Share => 1;
    }
}
