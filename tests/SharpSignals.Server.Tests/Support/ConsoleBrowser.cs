using Microsoft.Playwright;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (no browser download: <c>.ci/run</c> installs the
/// <c>chromium</c> package; <c>SHARPSIGNALS_CHROMIUM</c> names another binary), one per test class,
/// with a real server on a loopback port to point it at. <see cref="RunAsync"/> saves a screenshot
/// of the page when a test fails and names the file in the failure.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where the screenshots go: the test output directory.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("SHARPSIGNALS_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"The console tests need Chromium at {chromium}: run `bash .ci/run` (it installs Debian's chromium package) or set SHARPSIGNALS_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,

            // Root in CI containers has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a fresh page (its own cookies, a laptop-sized window, a zone
    /// other than UTC so that local times show), saving a screenshot as <c>{name}.png</c> if it throws.
    /// </summary>
    public async Task RunAsync(string name, Func<IPage, Task> test)
    {
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            TimezoneId = "Europe/Paris",
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        try
        {
            await test(page);
        }
        catch (Exception failure)
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            var file = Path.Combine(ScreenshotDirectory, name + ".png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            }
            catch (PlaywrightException)
            {
                file = "(no screenshot: the page was gone)";
            }

            throw new Xunit.Sdk.XunitException($"{failure.GetType().Name}: {failure.Message}{Environment.NewLine}Screenshot: {file}{Environment.NewLine}{failure.StackTrace}");
        }
    }

    /// <summary>Signs in to the console of the server at <paramref name="baseUrl"/> with <paramref name="token"/>, as an operator would.</summary>
    public static async Task SignInAsync(IPage page, string baseUrl, string token)
    {
        await page.GotoAsync(baseUrl + "/console");
        await page.GetByLabel("Admin token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
    }
}
