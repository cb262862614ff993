using Microsoft.Playwright;
using SharpSignals.Server.Tests.Realtime;
using SharpSignals.Server.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's Realtime page in a real browser: while a WebSocket client is subscribed to a topic,
/// the page lists the topic with its subscriber count and the open connection, filtered by prefix.
/// </summary>
public sealed class RealtimePageTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private readonly TopicTokens _tokens = new();
    private SsfTestServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        (_server, _http) = _tokens.StartServer(new Dictionary<string, string?>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public Task Topics_ShowTheirSubscribersOnThisNode_WhileAClientIsSubscribed() =>
        browser.RunAsync(nameof(Topics_ShowTheirSubscribersOnThisNode_WhileAClientIsSubscribed), async page =>
        {
            await using var first = await WsClient.ConnectAsync(_server.Issuer);
            await first.SendAsync(new { type = "subscribe", topic = "orders:42", token = _tokens.Issue("orders:42", "subscribe") });
            await first.ReceiveAsync("subscribed");
            await using var second = await WsClient.ConnectAsync(_server.Issuer);
            await second.CommandAsync($"/subscribe orders:42 {_tokens.Issue("orders:42", "subscribe")}");
            await second.SendAsync(new { type = "subscribe", topic = "news", token = _tokens.Issue("news", "subscribe") });
            await second.ReceiveAsync("subscribed");

            await ConsoleBrowser.SignInAsync(page, _server.Issuer, _server.AdminToken);
            await page.GetByRole(AriaRole.Link, new() { Name = "Realtime" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Realtime", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("tr[data-topic=\"orders:42\"] td")).ToHaveTextAsync("2");
            await Expect(page.Locator("tr[data-topic=\"news\"] td")).ToHaveTextAsync("1");
            await Expect(page.GetByRole(AriaRole.Row, new() { Name = "WebSocket" }).Locator("td")).ToHaveTextAsync("2");
            await Expect(page.GetByText("This server's topics and connections (node")).ToBeVisibleAsync();

            await page.GetByLabel("Topic prefix").FillAsync("orders:");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(page.Locator("tr[data-topic]")).ToHaveCountAsync(1);
            await Expect(page.Locator("tr[data-topic=\"orders:42\"] td")).ToHaveTextAsync("2");
        });
}
