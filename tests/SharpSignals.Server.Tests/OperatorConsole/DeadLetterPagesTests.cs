using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's Dead letters page in a real browser: a receiver on loopback refuses pushes with an
/// RFC 8935 error, the page lists them with that error, the receiver recovers, and selecting all and
/// retrying delivers them; a discard asks first.
/// </summary>
public sealed class DeadLetterPagesTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
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
    public Task DeadLetters_AreListedWithTheReceiversError_AndRetriedOnceItRecovers() =>
        browser.RunAsync(nameof(DeadLetters_AreListedWithTheReceiversError_AndRetriedOnceItRecovers), async page =>
        {
            _receiver.Respond = (_, _) => (400, """{"err":"invalid_key","description":"unknown kid"}""", null);
            var created = await SsfTestServer.CreateStreamAsync(_client, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url() },
            });
            var streamId = (string)created["stream_id"]!;
            var first = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("alice@example.com"));
            var second = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("bob@example.com"));
            await Eventually.TrueAsync(async () => await DeadLetterCountAsync(streamId) == 2, "both pushes to become dead letters");

            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dead letters", Level = 1 })).ToBeVisibleAsync();
            var rows = page.Locator("table.dead-letters tbody tr");
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.First).ToContainTextAsync("invalid_key: unknown kid");
            await Expect(rows.First).ToContainTextAsync(streamId);

            // The receiver recovers; select all on the page and retry.
            _receiver.Respond = (_, _) => (202, null, null);
            await page.GetByLabel("Select all on this page").CheckAsync();
            await Expect(page.GetByLabel($"Select {await StreamJtiAsync(first)}")).ToBeCheckedAsync();
            await Expect(page.GetByLabel($"Select {await StreamJtiAsync(second)}")).ToBeCheckedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Retry selected" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Retried 2 dead letters: queued again for delivery.");

            await _receiver.WaitForAsync(4);
            await Eventually.TrueAsync(
                async () => (await _client.GetFromJsonAsync<JsonObject>($"/events/{first}"))!["deliveries"]!.AsArray().All(d => (string?)d!["state"] == "delivered"),
                "the retried entry to be delivered");
            await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).ClickAsync();
            await Expect(page.GetByText("No dead letters.")).ToBeVisibleAsync();

            await page.GotoAsync($"{BaseUrl}/console/events/{first}");
            var route = page.Locator($"tr[data-stream=\"{streamId}\"]");
            await Expect(route).ToContainTextAsync("✓ delivered");
            await Expect(page.Locator("tr.attempts")).ToContainTextAsync("invalid_key: unknown kid");
        });

    [Fact]
    public Task Discard_AsksFirst_ThenDeletesTheSelectedDeadLetter() =>
        browser.RunAsync(nameof(Discard_AsksFirst_ThenDeletesTheSelectedDeadLetter), async page =>
        {
            _receiver.Respond = (_, _) => (400, """{"err":"invalid_request","description":"bad event"}""", null);
            var created = await SsfTestServer.CreateStreamAsync(_client, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url() },
            });
            var streamId = (string)created["stream_id"]!;
            var kept = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("alice@example.com"));
            var dropped = await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked("bob@example.com"));
            await Eventually.TrueAsync(async () => await DeadLetterCountAsync(streamId) == 2, "both pushes to become dead letters");

            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GotoAsync($"{BaseUrl}/console/deadletters?stream={streamId}");
            await page.GetByLabel($"Select {await StreamJtiAsync(dropped)}").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Discard selected…" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Discard dead letters?" })).ToBeVisibleAsync();
            Assert.Equal(2, await DeadLetterCountAsync(streamId));
            await page.GetByRole(AriaRole.Button, new() { Name = "Yes, discard it" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Discarded 1 dead letter.");
            await Expect(page).ToHaveURLAsync($"{BaseUrl}/console/deadletters?stream={streamId}");
            await Expect(page.Locator("table.dead-letters tbody tr")).ToHaveCountAsync(1);
            await Expect(page.Locator($"tr[data-jti=\"{await StreamJtiAsync(kept)}\"]")).ToBeVisibleAsync();
            Assert.Equal(1, await DeadLetterCountAsync(streamId));
        });

    /// <summary>The jti of the SET the stream was sent for the event (each stream's SET has its own), which the list shows.</summary>
    private async Task<string> StreamJtiAsync(string eventJti) =>
        (string)(await _client.GetFromJsonAsync<JsonObject>($"/events/{eventJti}"))!["deliveries"]![0]!["jti"]!;

    private async Task<int> DeadLetterCountAsync(string streamId) =>
        (await _server.Admin.GetFromJsonAsync<JsonArray>($"/admin/streams/{streamId}/deadletters"))!.Count;
}
