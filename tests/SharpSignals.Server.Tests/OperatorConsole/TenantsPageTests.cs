using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using SharpSignals.Server.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>
/// The console's tenants page in a real browser against a real server on loopback: a tenant created from the
/// page, its admin token shown once and working at the tenant's issuer over HTTP, replaced, and the tenant
/// deleted after a confirm step; refusals shown on the page; and hidden from a project-scoped operator.
/// </summary>
public sealed class TenantsPageTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
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
    public Task Create_ShowsTheAdminTokenOnce_WhichWorksAtTheTenant_ThenReplace_ThenDeleteAfterConfirming() =>
        browser.RunAsync(nameof(Create_ShowsTheAdminTokenOnce_WhichWorksAtTheTenant_ThenReplace_ThenDeleteAfterConfirming), async page =>
        {
            await ConsoleBrowser.SignInAsync(page, BaseUrl, _server.AdminToken);
            await page.GetByRole(AriaRole.Link, new() { Name = "Tenants" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenants", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("p.count")).ToHaveTextAsync("0 tenants");

            var form = page.GetByRole(AriaRole.Form, new() { Name = "Create a tenant" });
            await form.GetByLabel("Name").FillAsync("acme");
            var answer = await page.RunAndWaitForResponseAsync(
                () => form.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/console/tenants", StringComparison.Ordinal));
            Assert.Equal(200, answer.Status);
            Assert.Contains("no-store", (await answer.AllHeadersAsync())["cache-control"], StringComparison.Ordinal);

            var made = page.GetByRole(AriaRole.Status);
            await Expect(made).ToContainTextAsync("Tenant acme created.");
            await Expect(made).ToContainTextAsync("it will not be shown again");
            await Expect(made).ToContainTextAsync($"{BaseUrl}/t/acme");
            await Expect(made).ToContainTextAsync($"{BaseUrl}/.well-known/ssf-configuration/t/acme");
            var token = (await page.Locator("#new-admin-token").TextContentAsync())!.Trim();
            Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Value.Contains(token, StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, await TenantKeysAsync("acme", token));

            // Listed, its token not shown again.
            await page.GotoAsync(BaseUrl + "/console/tenants");
            var row = page.Locator("table.tenants tr[data-tenant='acme']");
            await Expect(row).ToContainTextAsync($"{BaseUrl}/t/acme");
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

            // A taken name is refused on the page, nothing made.
            await form.GetByLabel("Name").FillAsync("acme");
            await form.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is taken");
            await Expect(page.Locator("p.count")).ToHaveTextAsync("1 tenant");

            // A name the form's pattern would stop, sent by script: the server refuses it too.
            Assert.Equal(400, await ConsoleBrowser.PostFormAsync(page, "/console/tenants", "name=Not_A_Name"));

            // A new admin token: shown once, the old one refused at once.
            await row.GetByRole(AriaRole.Button, new() { Name = "Replace admin token of acme" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("New admin token for tenant acme.");
            var replaced = (await page.Locator("#new-admin-token").TextContentAsync())!.Trim();
            Assert.NotEqual(token, replaced);
            Assert.Equal(HttpStatusCode.Unauthorized, await TenantKeysAsync("acme", token));
            Assert.Equal(HttpStatusCode.OK, await TenantKeysAsync("acme", replaced));

            // Delete asks first; cancelling changes nothing.
            await row.GetByRole(AriaRole.Button, new() { Name = "Delete acme…" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Delete tenant acme?");
            await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
            await Expect(row).ToBeVisibleAsync();
            Assert.Equal(HttpStatusCode.OK, await TenantKeysAsync("acme", replaced));

            await row.GetByRole(AriaRole.Button, new() { Name = "Delete acme…" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete tenant acme" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Deleted tenant acme");
            await Expect(row).ToHaveCountAsync(0);
            Assert.Equal(HttpStatusCode.NotFound, await TenantKeysAsync("acme", replaced));
            using var listed = JsonDocument.Parse(await _server.Admin.GetStringAsync(new Uri("/admin/tenants", UriKind.Relative)));
            Assert.Equal(0, listed.RootElement.GetArrayLength());
        });

    [Fact]
    public Task AProjectScopedOperator_HasNoTenantsLink_AndGets404() =>
        browser.RunAsync(nameof(AProjectScopedOperator_HasNoTenantsLink_AndGets404), async page =>
        {
            await page.Context.AddCookiesAsync([ConsoleBrowser.ProjectOperatorCookie(_server, "p1")]);
            await page.GotoAsync(BaseUrl + "/console/keys");
            await Expect(page.Locator("header .who")).ToContainTextAsync("project p1");
            await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Tenants" })).ToHaveCountAsync(0);

            var shown = await page.GotoAsync(BaseUrl + "/console/tenants");
            Assert.Equal(404, shown!.Status);

            // Sent by script with the anti-forgery header: refused, nothing made.
            await page.GotoAsync(BaseUrl + "/console/keys");
            Assert.Equal(404, await ConsoleBrowser.PostFormAsync(page, "/console/tenants", "name=sneaky"));
            using var listed = JsonDocument.Parse(await _server.Admin.GetStringAsync(new Uri("/admin/tenants", UriKind.Relative)));
            Assert.Equal(0, listed.RootElement.GetArrayLength());
        });

    /// <summary><c>GET /t/{tenant}/admin/keys</c> with a bearer token: what only the tenant's admin token may read.</summary>
    private async Task<HttpStatusCode> TenantKeysAsync(string tenant, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/t/{tenant}/admin/keys");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }
}
