using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// A tenant of a test server (docs/TENANTS.md), created through <c>POST /admin/tenants</c>: clients whose every
/// request goes under <c>/t/{name}</c>, as a tenant's callers would send them, with relative paths written as
/// for the root.
/// </summary>
internal sealed class TestTenant(SsfTestServer server, string name, string adminToken)
{
    public string Name => name;

    /// <summary>The tenant's issuer: the server's plus <c>/t/{name}</c>.</summary>
    public string Issuer => server.Issuer + "/t/" + name;

    public string AdminToken => adminToken;

    public static async Task<TestTenant> CreateAsync(SsfTestServer server, string name)
    {
        using var response = await server.Admin.PostAsJsonAsync("/admin/tenants", new { name });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TestTenant(server, name, body.GetProperty("admin_token").GetString()!);
    }

    /// <summary>A client whose requests go to the tenant's paths; no credentials.</summary>
    public HttpClient CreateClient() => server.Factory.CreateDefaultClient(new UnderPath("/t/" + name));

    /// <summary>A client with the tenant's admin token.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return client;
    }

    /// <summary>Registers a client of the tenant through one of its IATs and returns a client using its access token.</summary>
    public async Task<(HttpClient Client, string ClientId, string Secret)> RegisterClientAsync(string project = "p1", string scope = "ssf.manage ssf.read event.publish")
    {
        using var admin = CreateAdminClient();
        return await SsfTestServer.RegisterClientAsync(admin, CreateClient(), project, scope);
    }

    /// <summary>Validates a SET with the token library against the tenant's own JWKS and issuer.</summary>
    public async Task<SetValidationResult> ValidateAsync(string token, string? audience = null)
    {
        using var client = CreateClient();
        var jwks = await client.GetStringAsync(new Uri("/jwks.json", UriKind.Relative));
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(jwks),
            ValidIssuers = [Issuer],
            ValidAudiences = audience is null ? [] : [audience],
        });
        return await validator.ValidateAsync(token, CancellationToken.None);
    }

    /// <summary>Puts every request under a path: <c>/ssf/streams</c> becomes <c>/t/acme/ssf/streams</c>.</summary>
    private sealed class UnderPath(string prefix) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // An advertised URL (a poll endpoint_url) is already under the tenant's path.
            var uri = request.RequestUri!;
            if (!uri.AbsolutePath.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                request.RequestUri = new UriBuilder(uri) { Path = prefix + uri.AbsolutePath }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
