using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.OperatorConsole.Streams;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's stream page in a real browser against a real server on loopback, pushing to a real
/// receiver: a failing receiver's answers show with each entry's attempts; pause and resume from the
/// page change the stream as <c>POST /ssf/status</c> would; a replay shows its dry-run count first and
/// sends the SETs again once confirmed.
/// </summary>
public sealed class StreamPageTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private RecordingReceiver _receiver = null!;

    private string BaseUrl => _server.Issuer;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _receiver = await RecordingReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public Task AFailingReceiver_ItsAnswersShowWithEachEntrysAttempts() =>
        browser.RunAsync(nameof(AFailingReceiver_ItsAnswersShowWithEachEntrysAttempts), async page =>
        {
            _receiver.Respond = (_, _) => (400, """{"err":"invalid_audience","description":"not for us"}""", null);
            var streamId = await CreatePushStreamAsync();
            var (client, _, _) = await _server.RegisterClientAsync("p1", "event.publish");
            await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(reason: "one"));
            await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(reason: "two"));
            await Eventually.TrueAsync(async () => await DeadLettersAsync(streamId) >= 2, "both SETs refused and dead-lettered");

            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GotoAsync($"{BaseUrl}/console/streams/{streamId}");

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Stream {streamId}", Level = 1 })).ToBeVisibleAsync();
            var attempt = page.Locator("table.entries tr.attempt").First;
            await Expect(attempt.Locator("[data-field=status]")).ToHaveTextAsync("400");
            await Expect(attempt.Locator("[data-field=err]")).ToContainTextAsync("invalid_audience");
            await Expect(attempt.Locator("[data-field=err]")).ToContainTextAsync("not for us");
            await Expect(attempt.Locator("[data-field=answer]")).ToContainTextAsync("""{"err":"invalid_audience","description":"not for us"}""");
            await Expect(page.Locator("table.entries").GetByText("✗ dead letter").First).ToBeVisibleAsync();

            // Filtered to delivered entries, none of them shows; to dead letters, they all do.
            await page.GetByLabel("Entry state").SelectOptionAsync("delivered");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(page.GetByText("No entries in this state.")).ToBeVisibleAsync();
            await page.GetByLabel("Entry state").SelectOptionAsync("dead_letter");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            Assert.True(await page.Locator("table.entries > tbody > tr").CountAsync() >= 2);

            // Never a credential: the push's authorization header is masked as the management API masks it.
            Assert.DoesNotContain("Bearer receiver-secret", await page.ContentAsync(), StringComparison.Ordinal);
        });

    [Fact]
    public Task PauseResumeAndDisable_FromThePage_ChangeTheStreamAsTheStatusApiWould() =>
        browser.RunAsync(nameof(PauseResumeAndDisable_FromThePage_ChangeTheStreamAsTheStatusApiWould), async page =>
        {
            var streamId = await CreatePushStreamAsync();
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GotoAsync($"{BaseUrl}/console/streams/{streamId}");

            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Paused: entries are held until the stream is resumed.");
            await Expect(page.Locator("[data-field=status]")).ToContainTextAsync("paused");
            Assert.Equal("paused", await StatusAsync(streamId));

            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resumed: held entries are delivered again.");
            await Expect(page.Locator("[data-field=status]")).ToContainTextAsync("enabled");
            Assert.Equal("enabled", await StatusAsync(streamId));

            // Disabling drops the pending entries: without its box ticked (the browser's own check
            // taken away, as a hand-made request would) it is refused and changes nothing.
            await page.EvaluateAsync("() => document.querySelector('form.disable input[name=confirm]').removeAttribute('required')");
            var refused = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync(),
                r => r.Url.EndsWith("/status", StringComparison.Ordinal) && r.Request.Method == "POST");
            Assert.Equal(400, refused.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("tick the box");
            Assert.Equal("enabled", await StatusAsync(streamId));

            await page.GoBackAsync();
            await page.Locator("form.disable input[name=confirm]").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Disabled");
            Assert.Equal("disabled", await StatusAsync(streamId));
        });

    [Fact]
    public Task Replay_ShowsTheDryRunCount_ThenSendsTheSetsAgainOnceConfirmed() =>
        browser.RunAsync(nameof(Replay_ShowsTheDryRunCount_ThenSendsTheSetsAgainOnceConfirmed), async page =>
        {
            var streamId = await CreatePushStreamAsync();
            var (client, _, _) = await _server.RegisterClientAsync("p1", "event.publish");
            for (var i = 0; i < 3; i++)
            {
                await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked(reason: $"replay {i}"));
            }

            // Everything delivered (a verification SET, had there been one, included): that is what a replay from position 1 sends.
            var delivered = await Eventually.GetAsync(() => DryRunAsync(streamId), n => n >= 3 && _receiver.Received.Count == n, "the SETs delivered");
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GotoAsync($"{BaseUrl}/console/streams/{streamId}");

            await page.GetByLabel("or from a position").FillAsync("1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Count what would be sent again" }).ClickAsync();

            await Expect(page.Locator("#replay-count")).ToHaveTextAsync($"{delivered} SETs would be sent again from position 1.");
            Assert.Equal(delivered, _receiver.Received.Count);

            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: send them again" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Replayed: {delivered} SETs are queued to be sent again.");
            var received = await _receiver.WaitForAsync(2 * delivered);
            Assert.Equal(received.Take(delivered).Select(r => r.Body), received.Skip(delivered).Select(r => r.Body));
        });

    [Fact]
    public async Task AProjectScopedViewer_FindsOnlyTheirProjectsStreams()
    {
        var streamId = await CreatePushStreamAsync();
        var catalog = _server.Factory.Services.GetRequiredService<StreamCatalog>();

        Assert.NotNull(StreamPageEndpoints.Find(catalog, new ConsoleViewer("operator", null), streamId));
        Assert.NotNull(StreamPageEndpoints.Find(catalog, new ConsoleViewer("operator", "p1"), streamId));
        Assert.Null(StreamPageEndpoints.Find(catalog, new ConsoleViewer("operator", "p2"), streamId));
        Assert.Null(StreamPageEndpoints.Find(catalog, new ConsoleViewer("operator", null), "no-such-stream"));
    }

    private async Task<string> CreatePushStreamAsync()
    {
        var (client, _, _) = await _server.RegisterClientAsync("p1");
        var created = await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url(), authorization_header = "Bearer receiver-secret" },
        });
        return (string)created["stream_id"]!;
    }

    private async Task<int> DeadLettersAsync(string streamId) =>
        (await _server.Admin.GetFromJsonAsync<JsonElement>($"/admin/streams/{streamId}/deadletters")).GetArrayLength();

    private async Task<int> DryRunAsync(string streamId)
    {
        using var response = await _server.Admin.PostAsJsonAsync($"/admin/streams/{streamId}/replay", new { from_position = 1, dry_run = true });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }

    private async Task<string> StatusAsync(string streamId) =>
        (await _server.Admin.GetFromJsonAsync<JsonElement>($"/ssf/status?stream_id={streamId}")).GetProperty("status").GetString()!;
}
