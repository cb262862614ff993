using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// Signing in to the console through an OpenID Connect provider in a real browser: a real provider
/// on <c>localhost</c> (another site than the server's <c>127.0.0.1</c>, so the trip through it is
/// cross-site as in production) and a real server on loopback. An administrator sees every project,
/// a project operator only theirs, a user with neither gets no session, and the admin token still
/// signs in beside the provider.
/// </summary>
public sealed class ConsoleOidcSignInTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private const string ProviderName = "Example SSO";

    private static readonly Dictionary<string, object> Administrator = new()
    {
        ["sub"] = "u-olive",
        ["name"] = "Olive Admin",
        ["email"] = "olive@example.com",
        ["roles"] = new[] { "reader", "signals-admin" },
    };

    private static readonly Dictionary<string, object> ProjectOperator = new()
    {
        ["sub"] = "u-pat",
        ["name"] = "Pat Operator",
        ["projects"] = "p1",
    };

    private static readonly Dictionary<string, object> NeitherAdminNorProject = new()
    {
        ["sub"] = "u-gus",
        ["name"] = "Gus Guest",
        ["roles"] = "reader",
    };

    private TestOpenIdProvider _provider = null!;
    private SsfTestServer _server = null!;
    private string _p1Stream = "";
    private string _p2Stream = "";

    private string BaseUrl => _server.Issuer;

    public async Task InitializeAsync()
    {
        _provider = await TestOpenIdProvider.StartAsync();
        _server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Console:OpenIdConnect:Authority"] = _provider.Authority,
            ["SharpSignals:Console:OpenIdConnect:ClientId"] = TestOpenIdProvider.ClientId,
            ["SharpSignals:Console:OpenIdConnect:ClientSecret"] = TestOpenIdProvider.ClientSecret,
            ["SharpSignals:Console:OpenIdConnect:DisplayName"] = ProviderName,
            ["SharpSignals:IdentityProvider:AdminClaim"] = "roles",
            ["SharpSignals:IdentityProvider:AdminValue"] = "signals-admin",
            ["SharpSignals:IdentityProvider:ProjectsClaim"] = "projects",
        });
        _p1Stream = (string)(await SsfTestServer.CreateStreamAsync(_server.Admin, new { project = "p1", description = "p1's" }))["stream_id"]!;
        _p2Stream = (string)(await SsfTestServer.CreateStreamAsync(_server.Admin, new { project = "p2", description = "p2's" }))["stream_id"]!;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public Task Administrator_SignsInThroughTheProvider_AndSeesEveryProject() =>
        browser.RunAsync(nameof(Administrator_SignsInThroughTheProvider_AndSeesEveryProject), async page =>
        {
            _provider.User = Administrator;
            var start = await page.RunAndWaitForResponseAsync(
                () => SignInThroughTheProviderAsync(page),
                r => r.Url.StartsWith(BaseUrl + "/console/signin/provider", StringComparison.Ordinal));

            await Expect(page).ToHaveURLAsync(BaseUrl + "/console");
            await Expect(page.GetByText($"Signed in with the {ProviderName} account Olive Admin · every project")).ToBeVisibleAsync();
            await Expect(Row(page, _p1Stream)).ToBeVisibleAsync();
            await Expect(Row(page, _p2Stream)).ToBeVisibleAsync();

            // The authorization code flow with PKCE, back by GET to the console's callback.
            var authorize = Assert.Single(_provider.AuthorizeRequests);
            Assert.Equal("code", authorize["response_type"]);
            Assert.Equal("query", authorize.GetValueOrDefault("response_mode", "query")); // query is the code flow's default: left out
            Assert.Equal("S256", authorize["code_challenge_method"]);
            Assert.Equal(BaseUrl + "/console/signin-oidc", authorize["redirect_uri"]);
            Assert.Equal(1, _provider.IdTokensIssued);

            // Correlation and nonce cookies: Secure, HttpOnly, Lax (sent on the provider's GET back), only on the callback's path.
            var flowCookies = (await start.HeaderValuesAsync("set-cookie")).SelectMany(v => v.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(2, flowCookies.Count);
            Assert.Single(flowCookies, c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
            Assert.Single(flowCookies, c => c.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal));
            Assert.All(flowCookies, c =>
            {
                var attributes = c.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
                Assert.Contains("secure", attributes);
                Assert.Contains("httponly", attributes);
                Assert.Contains("samesite=lax", attributes);
                Assert.Contains("path=/console/signin-oidc", attributes);
            });

            // Then the console's own session cookie, as for the admin token; no token of the provider's kept in the browser.
            var cookies = await page.Context.CookiesAsync();
            var session = Assert.Single(cookies, c => c.Name == "sharpsignals.console");
            Assert.True(session.HttpOnly);
            Assert.True(session.Secure);
            Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
            Assert.DoesNotContain(cookies, c => c.Name.StartsWith(".AspNetCore.Correlation", StringComparison.Ordinal));
            Assert.Equal("{}", await page.EvaluateAsync<string>("() => JSON.stringify(localStorage)"));
        });

    [Fact]
    public Task ProjectOperator_SeesOnlyTheirProject() =>
        browser.RunAsync(nameof(ProjectOperator_SeesOnlyTheirProject), async page =>
        {
            _provider.User = ProjectOperator;
            var p2Event = await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("carol@example.com"), project: "p2");

            await SignInThroughTheProviderAsync(page);

            await Expect(page.GetByText($"Signed in with the {ProviderName} account Pat Operator · project p1")).ToBeVisibleAsync();
            await Expect(Row(page, _p1Stream)).ToBeVisibleAsync();
            await Expect(Row(page, _p2Stream)).ToHaveCountAsync(0);
            await Expect(page.GetByLabel("Project")).ToHaveCountAsync(0);

            // Asking for another project still shows only theirs.
            await page.GotoAsync(BaseUrl + "/console?project=p2");
            await Expect(Row(page, _p1Stream)).ToBeVisibleAsync();
            await Expect(Row(page, _p2Stream)).ToHaveCountAsync(0);

            // Another project's event is not there for them (the stream page is not written yet).
            var elsewhere = await page.GotoAsync($"{BaseUrl}/console/events/{Uri.EscapeDataString(p2Event)}?project=p2");
            Assert.Equal(404, elsewhere!.Status);
        });

    [Fact]
    public Task UserWithNeitherAdminNorProject_IsRefusedAndGetsNoSession() =>
        browser.RunAsync(nameof(UserWithNeitherAdminNorProject_IsRefusedAndGetsNoSession), async page =>
        {
            _provider.User = NeitherAdminNorProject;
            await page.GotoAsync(BaseUrl + "/console");

            var answer = await page.RunAndWaitForResponseAsync(
                () => ProviderButton(page).ClickAsync(),
                r => r.Url.StartsWith(BaseUrl + "/console/signin?refused=", StringComparison.Ordinal));

            Assert.Equal(403, answer.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("neither a console administrator nor in a project, so no session was opened");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "sharpsignals.console");
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        });

    [Fact]
    public Task AdminToken_StillSignsInBesideTheProvider() =>
        browser.RunAsync(nameof(AdminToken_StillSignsInBesideTheProvider), async page =>
        {
            await page.GotoAsync(BaseUrl + "/console");
            await Expect(ProviderButton(page)).ToBeVisibleAsync();

            await page.GetByLabel("Admin token").FillAsync(_server.AdminToken);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByText("Signed in with the admin token")).ToBeVisibleAsync();
            Assert.Empty(_provider.AuthorizeRequests);
        });

    private static ILocator ProviderButton(IPage page) =>
        page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {ProviderName}", Exact = true });

    private static ILocator Row(IPage page, string streamId) => page.Locator($"tr[data-stream=\"{streamId}\"]");

    /// <summary>From the console to the provider and back, as a user would: one link, no form to fill at the provider.</summary>
    private async Task SignInThroughTheProviderAsync(IPage page)
    {
        await page.GotoAsync(BaseUrl + "/console");
        await ProviderButton(page).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
    }
}
