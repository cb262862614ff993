using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using SharpSignals.Server.Auth;
using SharpSignals.Server.OperatorConsole.Shell;

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

    /// <summary>
    /// Posts a form from the page by script with the anti-forgery header, as a crafted change would be
    /// sent past the page's own buttons; returns the status.
    /// </summary>
    public static Task<int> PostFormAsync(IPage page, string path, string form) =>
        page.EvaluateAsync<int>(
            """
            async ([path, form]) => (await fetch(path, {
              method: "POST",
              headers: { "X-CSRF-Token": SharpSignalsConsole.csrfToken(), "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" },
              body: form,
            })).status
            """,
            new[] { path, form });

    /// <summary>
    /// A console session for an operator who sees one project, sealed by the server's own cookie
    /// format as a sign-in through the identity provider would leave it: the admin token's session
    /// without the admin scope, with the project.
    /// </summary>
    internal static Cookie ProjectOperatorCookie(SsfTestServer server, string project)
    {
        var services = server.Factory.Services;
        var admin = ConsoleSession.ForAdminToken(services.GetRequiredService<AdminToken>().Fingerprint!, services.GetRequiredService<TimeProvider>().GetUtcNow());
        var identity = new ClaimsIdentity(
            admin.Claims
                .Where(c => c.Type is not (CallerClaims.ScopeClaim or CallerClaims.ProjectClaim or ClaimTypes.Name))
                .Append(new Claim(ClaimTypes.Name, $"{project} operator"))
                .Append(new Claim(CallerClaims.ProjectClaim, project)),
            ConsoleSession.Scheme);
        var cookie = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(ConsoleSession.Scheme);
        return new Cookie
        {
            Name = ConsoleSession.CookieName,
            Value = cookie.TicketDataFormat.Protect(new AuthenticationTicket(new ClaimsPrincipal(identity), ConsoleSession.Scheme)),
            Domain = new Uri(server.Issuer).Host,
            Path = ConsoleSession.BasePath,
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteAttribute.Strict,
        };
    }
}
