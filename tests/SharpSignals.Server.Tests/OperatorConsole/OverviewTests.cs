using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage;
using SharpSignals.Storage.History;
using SharpSignals.Tokens.Events;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's overview in a real browser against a real server on loopback, pushing to a real
/// receiver: the backlog and the failing mark change on the page without a reload (its live
/// Server-Sent Events), the filters narrow the list, and a test takes the README's screenshot.
/// </summary>
public sealed partial class OverviewTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private const string ScreenshotVariable = "SHARPSIGNALS_UPDATE_SCREENSHOTS";

    private SsfTestServer _server = null!;
    private RecordingReceiver _receiver = null!;

    private string BaseUrl => _server.Issuer;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Push:InitialBackoffSeconds"] = "1",
            ["SharpSignals:Push:MaxBackoffSeconds"] = "1",

            // Long enough that a live response the shutdown did not end would show in how long it takes.
            ["SharpSignals:ShutdownTimeoutSeconds"] = "30",
        });
        _receiver = await RecordingReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public Task Backlog_RisesAndFalls_WithoutAReload_AndTheLiveResponseEndsOnShutdown() =>
        browser.RunAsync(nameof(Backlog_RisesAndFalls_WithoutAReload_AndTheLiveResponseEndsOnShutdown), async page =>
        {
            var (client, _, _) = await _server.RegisterClientAsync("shop");
            var streamId = await PushStreamAsync(client, "Orders service");
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            var row = Row(page, streamId);
            await Expect(row.Locator("[data-field=pending]")).ToHaveTextAsync("0");
            await Expect(page.Locator("#live-status")).ToHaveTextAsync(LiveStatus());
            await page.EvaluateAsync("() => window.__marker = 1");
            var url = page.Url;

            // Paused, the stream holds what is published: its backlog rises.
            await SetStatusAsync(client, streamId, "paused");
            for (var i = 0; i < 3; i++)
            {
                await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked($"user{i}@example.com"));
            }

            await Expect(row.Locator("[data-field=pending]")).ToHaveTextAsync("3");
            await Expect(row.Locator("[data-field=oldest] time")).ToHaveTextAsync(AgeText());
            await Expect(row.Locator("[data-field=oldest] time")).ToHaveAttributeAsync("title", UtcText());

            // Resumed, the receiver takes them all: it falls to nothing, and the chart counts them.
            await SetStatusAsync(client, streamId, "enabled");
            await _receiver.WaitForAsync(3);
            await Expect(row.Locator("[data-field=pending]")).ToHaveTextAsync("0");
            await Expect(row.Locator("[data-field=oldest]")).ToHaveTextAsync("none");
            await Expect(row.Locator("[data-field=delivered] svg")).ToHaveAttributeAsync("aria-label", new Regex("3 in all"));

            Assert.Equal(url, page.Url);
            Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__marker"));

            // Shutting down ends the live response at once (the host does not wait for it), and the page says it is reconnecting.
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await _server.StopAsync();
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"The server took {stopping.Elapsed} to stop.");
            await Expect(page.Locator("#live-status")).ToHaveTextAsync("Reconnecting…");
        });

    [Fact]
    public Task AFailingReceiver_MarksTheStreamFailing_InWordsAndUntilItRecovers() =>
        browser.RunAsync(nameof(AFailingReceiver_MarksTheStreamFailing_InWordsAndUntilItRecovers), async page =>
        {
            var (client, _, _) = await _server.RegisterClientAsync("bank");
            var failing = await PushStreamAsync(client, "Card fraud desk");
            var healthy = (string)(await SsfTestServer.CreateStreamAsync(client, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                description = "Audit log (poll)",
            }))["stream_id"]!;
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await Expect(Row(page, failing).Locator("[data-field=state]")).ToHaveTextAsync("✓ OK");
            await page.EvaluateAsync("() => window.__marker = 1");

            _receiver.Respond = (_, _) => (503, null, null);
            await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
            await _receiver.WaitForAsync(1);

            var row = Row(page, failing);
            await Expect(row.Locator("[data-field=state]")).ToHaveTextAsync("⚠ Failing");
            await Expect(row).ToHaveClassAsync(new Regex("failing"));
            await Expect(row.Locator("[data-field=error_rate] svg")).ToHaveAttributeAsync("aria-label", new Regex(@"attempts failed \(100%\)"));
            await Expect(Row(page, healthy).Locator("[data-field=state]")).ToHaveTextAsync("✓ OK");
            Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__marker"));

            // "Failing only" lists the failing stream alone; the text filter finds streams by description.
            await page.GetByLabel("Failing only").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(page.Locator("tr[data-stream]")).ToHaveCountAsync(1);
            await Expect(Row(page, failing)).ToBeVisibleAsync();
            await page.GotoAsync(BaseUrl + "/console?q=AUDIT");
            await Expect(page.Locator("tr[data-stream]")).ToHaveCountAsync(1);
            await Expect(Row(page, healthy)).ToBeVisibleAsync();

            // The receiver recovers: the retry is delivered and the mark goes, still without a reload.
            await page.GotoAsync(BaseUrl + "/console?failing=1");
            await page.EvaluateAsync("() => window.__marker = 2");
            _receiver.Respond = (_, _) => (202, null, null);
            await Expect(Row(page, failing).Locator("[data-field=state]")).ToHaveTextAsync("✓ OK");
            await Expect(Row(page, failing)).Not.ToHaveClassAsync(new Regex("failing"));
            Assert.Equal(2, await page.EvaluateAsync<int>("() => window.__marker"));
        });

    /// <summary>
    /// The README's picture of the overview (docs/images/console-overview.png, 1366×768): a few
    /// streams of two projects, one failing, with an hour of history behind their charts. The hour
    /// is written to the store as another node's minutes would be, and the server restarted so that
    /// its history reads them; written to the repository only when <c>SHARPSIGNALS_UPDATE_SCREENSHOTS=1</c>.
    /// </summary>
    [Fact]
    public Task Screenshot_OfTheOverview_ForTheReadme() =>
        browser.RunAsync(nameof(Screenshot_OfTheOverview_ForTheReadme), async page =>
        {
            var (acme, _, _) = await _server.RegisterClientAsync("acme");
            var (globex, _, _) = await _server.RegisterClientAsync("globex");
            var portal = await PushStreamAsync(acme, "HR portal: sign-out everywhere");
            var crm = (string)(await SsfTestServer.CreateStreamAsync(acme, new { events_requested = new[] { EventTypes.Caep.SessionRevoked }, description = "CRM (polls)" }))["stream_id"]!;
            var payroll = await PushStreamAsync(globex, "Payroll: credential changes");
            var wiki = await PushStreamAsync(globex, "Wiki sessions");

            var now = DateTimeOffset.UtcNow;
            var minute = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 60 * 60) - 3600);
            var rows = new List<StreamHistoryRow>();
            for (var i = 0; i <= 60; i++)
            {
                var at = minute.AddMinutes(i);
                var wave = Math.Sin(i / 6.0);
                rows.Add(new StreamHistoryRow(portal, at, 40 + (long)(25 * wave), i % 17 == 0 ? 1 : 0, null, null));
                rows.Add(new StreamHistoryRow(crm, at, 12 + (i % 5), 0, null, null));
                rows.Add(new StreamHistoryRow(payroll, at, i < 45 ? 20 + (i % 7) : 0, i < 45 ? 0 : 8, i < 45 ? null : (i - 44) * 6, null));
                rows.Add(new StreamHistoryRow(wiki, at, 5 + (long)(4 * Math.Cos(i / 4.0)), 0, null, null));
            }

            await _server.Factory.Services.GetRequiredService<ISharpSignalsStore>()
                .WriteStreamHistoryAsync("an-earlier-node", rows, [], now.AddDays(-1), CancellationToken.None);
            _server = await _server.RestartAsync();

            // The minute running is this node's too: its chart shows its own pushes on top.
            // Payroll's receiver is down: its events wait and it is marked failing.
            _receiver.Respond = (_, push) => push.Path.Contains("payroll", StringComparison.Ordinal) ? (503, null, null) : (202, null, null);
            (globex, _, _) = await _server.RegisterClientAsync("globex");
            for (var i = 0; i < 4; i++)
            {
                await SsfTestServer.PublishAsync(globex, SsfTestServer.SessionRevoked($"user{i}@globex.example"));
            }

            await page.SetViewportSizeAsync(1366, 768);
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await Expect(Row(page, payroll).Locator("[data-field=state]")).ToHaveTextAsync("⚠ Failing");
            await Expect(Row(page, payroll).Locator("[data-field=pending]")).ToHaveTextAsync("4");
            await Expect(Row(page, wiki).Locator("[data-field=pending]")).ToHaveTextAsync("0");

            var update = Environment.GetEnvironmentVariable(ScreenshotVariable) == "1";
            var file = update
                ? Path.Combine(RepositoryRoot(), "docs", "images", "console-overview.png")
                : Path.Combine(ConsoleBrowser.ScreenshotDirectory, "console-overview.png");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
            Assert.True(new FileInfo(file).Length > 10_000, file);
        });

    private static ILocator Row(IPage page, string streamId) => page.Locator($"tr[data-stream=\"{streamId}\"]");

    private async Task<string> PushStreamAsync(HttpClient client, string description) =>
        (string)(await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            description,
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Url("/" + description.Split(':')[0].ToLowerInvariant().Replace(' ', '-')) },
        }))["stream_id"]!;

    private static async Task SetStatusAsync(HttpClient client, string streamId, string status)
    {
        using var response = await client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status });
        response.EnsureSuccessStatusCode();
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SharpSignals.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException("No SharpSignals.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^● Live")]
    private static partial Regex LiveStatus();

    [GeneratedRegex(@"^\d+ (s|min)$")]
    private static partial Regex AgeText();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")]
    private static partial Regex UtcText();
}
