using System.Buffers.Text;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's Events pages in a real browser against a real server on loopback, pushing to a
/// real receiver: an event is found by its jti and by its txn, and its page shows its claims, its
/// token and where it went.
/// </summary>
public sealed class EventPagesTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private RecordingReceiver _receiver = null!;
    private HttpClient _client = null!;

    private string BaseUrl => _server.Issuer;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _receiver = await RecordingReceiver.StartAsync();
        (_client, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public Task AnEvent_IsFoundByJtiAndByTxn_AndShowsItsClaimsAndWhereItWent() =>
        browser.RunAsync(nameof(AnEvent_IsFoundByJtiAndByTxn_AndShowsItsClaimsAndWhereItWent), async page =>
        {
            var created = await SsfTestServer.CreateStreamAsync(_client, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url() },
            });
            var streamId = (string)created["stream_id"]!;
            var first = await SsfTestServer.PublishAsync(_client, WithTxn(SsfTestServer.SessionRevoked("alice@example.com"), "txn-alice-1"));
            var other = await SsfTestServer.PublishAsync(_client, WithTxn(SsfTestServer.SessionRevoked("bob@example.com"), "txn-bob-1"));
            await Eventually.TrueAsync(
                async () => (await _client.GetFromJsonAsync<JsonObject>($"/events/{first}"))!["deliveries"]!.AsArray().All(d => (string?)d!["state"] == "delivered"),
                "the event to be delivered");

            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Events", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator($"tr[data-jti=\"{first}\"]")).ToContainTextAsync("alice@example.com");
            await Expect(page.Locator($"tr[data-jti=\"{other}\"]")).ToBeVisibleAsync();

            // By jti: straight to the event.
            await page.GetByLabel("jti").FillAsync(first);
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Event {first}", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("pre.claims")).ToContainTextAsync("\"txn\": \"txn-alice-1\"");
            await Expect(page.Locator("pre.claims")).ToContainTextAsync("session-revoked");
            var route = page.Locator($"tr[data-stream=\"{streamId}\"]");
            await Expect(route).ToContainTextAsync("✓ delivered");
            await Expect(route.GetByRole(AriaRole.Link, new() { Name = streamId })).ToHaveAttributeAsync("href", $"/console/streams/{streamId}");
            await Expect(page.Locator("tr.attempts")).ToContainTextAsync("202");
            var token = await page.Locator("#raw-token").TextContentAsync();
            // Signed, as GET /events/{jti} returns it, not the unsigned form the log keeps.
            Assert.Equal(3, token!.Split('.').Length);
            Assert.NotEmpty(token.Split('.')[2]);
            Assert.NotEqual("none", (string?)JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[0]))!["alg"]);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy token" })).ToBeVisibleAsync();

            // By txn: only that event is listed; its link opens it.
            await page.GotoAsync(BaseUrl + "/console/events");
            await page.GetByLabel("txn").FillAsync("txn-bob-1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(BaseUrl + "/console/events?txn=txn-bob-1");
            await Expect(page.Locator("table.events tbody tr")).ToHaveCountAsync(1);
            await page.GetByRole(AriaRole.Link, new() { Name = other }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Event {other}", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("pre.claims")).ToContainTextAsync("bob@example.com");

            // An unknown jti says so, and a time that is not one is refused with the reason; neither is an error page.
            await page.GotoAsync(BaseUrl + "/console/events?jti=no-such-event");
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("There is no event with jti no-such-event.");
            await page.GotoAsync(BaseUrl + "/console/events?from=yesterday");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("from must be a date and time");
            var missing = await page.GotoAsync(BaseUrl + "/console/events/no-such-event");
            Assert.Equal(404, missing!.Status);
        });

    private static string WithTxn(string json, string txn)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["txn"] = txn;
        return body.ToJsonString();
    }
}
