using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's keys, clients and initial access tokens page in a real browser against a real
/// server on loopback: rotating the issuer key, an initial access token shown once and used to
/// register a client over HTTP, revoking that client from the page, and what a project-scoped
/// operator may see and do.
/// </summary>
public sealed class KeysPageTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private HttpClient _http = null!;

    private string BaseUrl => _server.Issuer;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task Rotate_FromThePage_ListsTheNewKeyAsNext_ThenNowAsActive_AndJwksPublishesIt() =>
        browser.RunAsync(nameof(Rotate_FromThePage_ListsTheNewKeyAsNext_ThenNowAsActive_AndJwksPublishesIt), async page =>
        {
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GetByRole(AriaRole.Link, new() { Name = "Keys and clients" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Keys and clients", Level = 1 })).ToBeVisibleAsync();
            var activeRow = page.Locator("table.keys tbody tr", new() { HasText = "✓ active" });
            await Expect(activeRow).ToHaveCountAsync(1);
            var firstKid = await activeRow.GetAttributeAsync("data-kid");

            // With the lead time: published now, listed as next, signing later.
            await page.GetByLabel("Algorithm").SelectOptionAsync("RS256");
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is published and signs from");
            var nextRow = page.Locator("table.keys tbody tr", new() { HasText = "→ next" });
            await Expect(nextRow).ToHaveCountAsync(1);
            await Expect(nextRow).ToContainTextAsync("RS256");
            await Expect(nextRow).ToContainTextAsync("signs from");
            var nextKid = await nextRow.GetAttributeAsync("data-kid");
            Assert.NotEqual(firstKid, nextKid);
            await Expect(activeRow).ToHaveAttributeAsync("data-kid", firstKid!);
            Assert.Contains(nextKid, await PublishedKidsAsync());

            // Now (a compromised key): asked to confirm first, then active at once.
            await page.GetByLabel("now (the current key is compromised)").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Rotate now?");
            await Expect(activeRow).ToHaveAttributeAsync("data-kid", firstKid!);
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate now" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("signs from now on");
            await Expect(activeRow).Not.ToHaveAttributeAsync("data-kid", firstKid!);
            var nowKid = await activeRow.GetAttributeAsync("data-kid");
            Assert.NotEqual(nextKid, nowKid);
            await Expect(page.Locator($"table.keys tr[data-kid='{firstKid}']")).ToContainTextAsync("retired");
            Assert.Contains(nowKid, await PublishedKidsAsync());
        });

    [Fact]
    public Task Iat_IsShownOnce_RegistersAClientOverHttp_AndRevokingItFromThePageRefusesItsToken() =>
        browser.RunAsync(nameof(Iat_IsShownOnce_RegistersAClientOverHttp_AndRevokingItFromThePageRefusesItsToken), async page =>
        {
            await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = BaseUrl });
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GotoAsync(BaseUrl + "/console/keys");

            var form = page.GetByRole(AriaRole.Form, new() { Name = "Create an initial access token" });
            await form.GetByLabel("Project").FillAsync("p7");
            await form.GetByLabel("Valid for (hours)").FillAsync("1");
            await Expect(form.GetByLabel("single use")).ToBeCheckedAsync();
            var answer = await page.RunAndWaitForResponseAsync(
                () => form.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/console/keys/iat", StringComparison.Ordinal));
            Assert.Equal(200, answer.Status);
            Assert.Contains("no-store", (await answer.AllHeadersAsync())["cache-control"], StringComparison.Ordinal);

            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("it will not be shown again");
            var token = (await page.Locator("#new-iat").TextContentAsync())!.Trim();
            Assert.False(string.IsNullOrEmpty(token));
            Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Value.Contains(token, StringComparison.Ordinal));
            var copy = page.Locator("button[data-copy='new-iat']");
            await Expect(copy).ToHaveAccessibleNameAsync("Copy");
            await copy.ClickAsync();
            await Expect(copy).ToHaveTextAsync("Copied");
            Assert.Equal(token, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

            // Shown once: the page itself never shows it again.
            await page.GotoAsync(BaseUrl + "/console/keys");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Exact = true })).ToBeVisibleAsync();
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

            // A client registers with it over HTTP, and its access token works.
            using var register = new HttpRequestMessage(HttpMethod.Post, "/register") { Content = JsonContent.Create(new { client_name = "console-made", scope = "ssf.read" }) };
            register.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var registered = await _http.SendAsync(register);
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
            var clientId = body.GetProperty("client_id").GetString()!;
            var accessToken = body.GetProperty("access_token").GetString()!;
            Assert.Equal("p7", body.GetProperty("project").GetString());
            Assert.Equal(HttpStatusCode.OK, await ReadStreamsAsync(accessToken));

            await page.GotoAsync(BaseUrl + "/console/keys?project=p7");
            var row = page.Locator($"table.clients tr[data-client='{clientId}']");
            await Expect(row).ToContainTextAsync("console-made");
            await Expect(row).ToContainTextAsync("p7");
            await Expect(row).ToContainTextAsync("ssf.read");
            await Expect(row).ToContainTextAsync("✓ active");

            await row.GetByText("Revoke…").ClickAsync();
            await row.GetByRole(AriaRole.Button, new() { Name = $"Revoke client {clientId}" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Revoked client console-made ({clientId})");
            await Expect(row).ToContainTextAsync("✕ revoked");
            await Expect(row.GetByText("Revoke…")).ToHaveCountAsync(0);

            // The API refuses its token at once: the cache dropped it as the admin API's revocation does.
            Assert.Equal(HttpStatusCode.Unauthorized, await ReadStreamsAsync(accessToken));
        });

    [Fact]
    public Task AProjectScopedOperator_SeesTheKeysReadOnly_AndOnlyTheirProjectsClients() =>
        browser.RunAsync(nameof(AProjectScopedOperator_SeesTheKeysReadOnly_AndOnlyTheirProjectsClients), async page =>
        {
            var (_, ownClient, _) = await _server.RegisterClientAsync("p1");
            var (_, otherClient, _) = await _server.RegisterClientAsync("p2");
            await page.Context.AddCookiesAsync([ConsoleBrowser.ProjectOperatorCookie(_server, "p1")]);

            await page.GotoAsync(BaseUrl + "/console/keys?project=p2");
            await Expect(page.Locator("header .who")).ToContainTextAsync("project p1");
            await Expect(page.Locator("table.keys tbody tr", new() { HasText = "✓ active" })).ToHaveCountAsync(1);
            await Expect(page.GetByText("Only an operator who sees every project may rotate the keys.")).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rotate", Exact = true })).ToHaveCountAsync(0);
            await Expect(page.Locator($"table.clients tr[data-client='{ownClient}']")).ToBeVisibleAsync();
            await Expect(page.Locator($"table.clients tr[data-client='{otherClient}']")).ToHaveCountAsync(0);

            // Sent by script with the anti-forgery header, as a crafted change would be: refused, nothing changed.
            var keysBefore = await _server.Admin.GetStringAsync(new Uri("/admin/keys", UriKind.Relative));
            Assert.Equal(403, await ConsoleBrowser.PostFormAsync(page, "/console/keys/rotate", "algorithm=ES256&now=true&confirm=true"));
            Assert.Equal(keysBefore, await _server.Admin.GetStringAsync(new Uri("/admin/keys", UriKind.Relative)));
            Assert.Equal(404, await ConsoleBrowser.PostFormAsync(page, $"/console/keys/clients/{otherClient}/revoke", ""));
            var others = await _server.Admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/clients?project=p2", UriKind.Relative));
            Assert.False(Assert.Single(others.EnumerateArray()).TryGetProperty("revoked_at", out var revokedAt) && revokedAt.ValueKind != JsonValueKind.Null);

            // Initial access tokens for their own project only, whatever the form says.
            var form = page.GetByRole(AriaRole.Form, new() { Name = "Create an initial access token" });
            await Expect(form.GetByLabel("Project")).ToHaveCountAsync(0);
            await form.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("for project p1");
        });

    private async Task<IReadOnlyList<string?>> PublishedKidsAsync()
    {
        var jwks = await _http.GetFromJsonAsync<JsonElement>(new Uri("/jwks.json", UriKind.Relative));
        return [.. jwks.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("use").GetString() == "sig").Select(k => k.GetProperty("kid").GetString())];
    }

    private async Task<HttpStatusCode> ReadStreamsAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ssf/streams");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }
}
