using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Intake;

/// <summary>
/// <c>GET /events/{jti}</c> (docs/API.md, "Publishing"): an event as stored, and where it went: its entry on each stream
/// it was routed to, and where that entry stands; and the retention sweep that removes both in time.
/// </summary>
public sealed class EventLookupTests
{
    [Fact]
    public async Task GetEvent_ShowsItsEntryOnEachStream_DeliveredPendingAndDeadLetter()
    {
        await using var server = new SsfTestServer();
        var (client, _, _) = await server.RegisterClientAsync("p1");
        using var _ = client;
        var acknowledged = await PollStreamAsync(client);
        var waiting = await PollStreamAsync(client);
        var refusing = await PollStreamAsync(client);

        var published = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var delivered = Assert.Single((await SsfTestServer.PollAsync(client, acknowledged, new { returnImmediately = true }))["sets"]!.AsObject()).Key;
        await SsfTestServer.PollAsync(client, acknowledged, new { ack = new[] { delivered }, returnImmediately = true });
        var refused = Assert.Single((await SsfTestServer.PollAsync(client, refusing, new { returnImmediately = true }))["sets"]!.AsObject()).Key;
        await SsfTestServer.PollAsync(client, refusing, new
        {
            setErrs = new Dictionary<string, object> { [refused] = new { err = "invalid_key", description = "unknown kid" } },
            returnImmediately = true,
        });

        var stored = await client.GetFromJsonAsync<JsonObject>($"/events/{published}");

        var deliveries = stored!["deliveries"]!.AsArray().ToDictionary(d => (string)d!["stream_id"]!, d => d!.AsObject());
        Assert.Equal(new[] { acknowledged, waiting, refusing }.Order(), deliveries.Keys.Order());
        Assert.Equal(("delivered", delivered), ((string?)deliveries[acknowledged]["state"], (string?)deliveries[acknowledged]["jti"]));
        Assert.NotNull(deliveries[acknowledged]["completed_at"]);
        Assert.Equal("pending", (string?)deliveries[waiting]["state"]);
        Assert.Null(deliveries[waiting]["completed_at"]);
        Assert.Equal(("dead_letter", "invalid_key: unknown kid"), ((string?)deliveries[refusing]["state"], (string?)deliveries[refusing]["last_error"]));
        Assert.All(deliveries.Values, d => Assert.True((long)d["queued_at"]! >= (long)stored["received_at"]!));

        // A SET as one stream received it leads to the same event.
        var byDeliveredJti = await client.GetFromJsonAsync<JsonObject>($"/events/{delivered}");
        Assert.Equal(published, (string?)byDeliveredJti!["jti"]);
        Assert.Equal(3, byDeliveredJti["deliveries"]!.AsArray().Count);
    }

    [Fact]
    public async Task GetEvent_NotRoutedAnywhere_HasNoDeliveries()
    {
        await using var server = new SsfTestServer();
        var (client, _, _) = await server.RegisterClientAsync("p1");
        using var _ = client;

        var published = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());

        var stored = await client.GetFromJsonAsync<JsonElement>($"/events/{published}");
        Assert.Equal(0, stored.GetProperty("deliveries").GetArrayLength());
    }

    [Fact]
    public async Task Retention_RemovesDeliveredEventsAfterItsPeriod_AndKeepsWhatIsStillPending()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = new SsfTestServer(time: clock);
        var (client, _, _) = await server.RegisterClientAsync("p1");
        using var _ = client;
        var streamId = await PollStreamAsync(client);
        var first = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("first@example.com"));
        var delivered = Assert.Single((await SsfTestServer.PollAsync(client, streamId, new { returnImmediately = true }))["sets"]!.AsObject()).Key;
        await SsfTestServer.PollAsync(client, streamId, new { ack = new[] { delivered }, returnImmediately = true });
        var second = await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked("second@example.com"));

        // The default period is seven days, and the sweep runs hourly. (The client's token has
        // expired by then; the admin looks.)
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(1.5));
        await Eventually.TrueAsync(async () => await StatusOfAsync(server.Admin, first) == HttpStatusCode.NotFound, "the sweep to purge the delivered event");

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(server.Admin, first));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(server.Admin, delivered));
        var kept = await server.Admin.GetFromJsonAsync<JsonObject>($"/events/{second}");
        Assert.Equal("pending", (string?)Assert.Single(kept!["deliveries"]!.AsArray())!["state"]);
    }

    private static async Task<string> PollStreamAsync(HttpClient client) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, new { delivery = new { method = "urn:ietf:rfc:8936" } }))["stream_id"]!;

    private static async Task<HttpStatusCode> StatusOfAsync(HttpClient client, string jti)
    {
        using var response = await client.GetAsync($"/events/{jti}");
        return response.StatusCode;
    }
}
