using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// Signing in to the console in a real browser (Debian's Chromium) against a real server on
/// loopback: the admin token is exchanged for a session cookie the page cannot read, a wrong token
/// and a change without the anti-forgery token are refused, and signing out ends the session.
/// </summary>
public sealed class ConsoleSignInTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private SsfTestServer _server = null!;

    private string BaseUrl => _server.Issuer;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public Task SignIn_WithTheAdminToken_KeepsItOnlyInAnHttpOnlySecureStrictCookie() =>
        browser.RunAsync(nameof(SignIn_WithTheAdminToken_KeepsItOnlyInAnHttpOnlySecureStrictCookie), async page =>
        {
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(page).ToHaveURLAsync(BaseUrl + "/console/signin?return=%2Fconsole");

            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);

            await Expect(page).ToHaveURLAsync(BaseUrl + "/console");
            await Expect(page.GetByText("Signed in with the admin token")).ToBeVisibleAsync();
            var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "sharpsignals.console");
            Assert.True(session.HttpOnly);
            Assert.True(session.Secure);
            Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
            Assert.Equal("/console", session.Path);
            Assert.DoesNotContain(_server.AdminToken, session.Value, StringComparison.Ordinal);
            Assert.Equal("{}", await page.EvaluateAsync<string>("() => JSON.stringify(localStorage)"));
            Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));
            Assert.DoesNotContain(_server.AdminToken, await page.ContentAsync(), StringComparison.Ordinal);
        });

    [Fact]
    public Task SignIn_WithAWrongToken_IsRefusedAndOpensNoSession() =>
        browser.RunAsync(nameof(SignIn_WithAWrongToken_IsRefusedAndOpensNoSession), async page =>
        {
            await page.GotoAsync(BaseUrl + "/console/signin");
            await page.GetByLabel("Admin token").FillAsync("not-the-admin-token");
            var answer = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
                r => r.Url.EndsWith("/console/signin", StringComparison.Ordinal) && r.Request.Method == "POST");

            Assert.Equal(401, answer.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That is not the admin token.");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "sharpsignals.console");
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        });

    [Fact]
    public Task AChange_WithoutTheCsrfToken_IsRefusedAndChangesNothing() =>
        browser.RunAsync(nameof(AChange_WithoutTheCsrfToken_IsRefusedAndChangesNothing), async page =>
        {
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);

            // The sign-out form without its hidden anti-forgery field, as a forged form would be.
            await page.EvaluateAsync("() => document.querySelector('form[action=\"/console/signout\"] input[name=\"__RequestVerificationToken\"]').remove()");
            var answer = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync(),
                r => r.Url.EndsWith("/console/signout", StringComparison.Ordinal));
            Assert.Equal(400, answer.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("anti-forgery token");

            // A script's change without the header is refused too.
            var status = await page.EvaluateAsync<int>("async () => (await fetch('/console/signout', { method: 'POST' })).status");
            Assert.Equal(400, status);

            // Still signed in: nothing changed.
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        });

    [Fact]
    public Task SignOut_EndsTheSession() =>
        browser.RunAsync(nameof(SignOut_EndsTheSession), async page =>
        {
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Signed out.");
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        });

    [Fact]
    public Task Keyboard_ReachesTheTokenFieldAndSignsIn() =>
        browser.RunAsync(nameof(Keyboard_ReachesTheTokenFieldAndSignsIn), async page =>
        {
            await page.GotoAsync(BaseUrl + "/console/signin");
            await Expect(page.GetByLabel("Admin token")).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync(_server.AdminToken);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();

            // The skip link comes first and moves focus to the content.
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        });
}
