using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Auth;

/// <summary>Initial access tokens made with <c>"single_use": true</c> register one client, on either store (docs/API.md).</summary>
public sealed class SingleUseIatTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SingleUseIat_TwoRegistrationsAtOnce_ExactlyOneSucceedsAndTheTokenIsSpent(string storage)
    {
        var database = storage == "postgres" ? PostgresTestServer.Instance.CreateDatabase() : null;
        try
        {
            await using var server = SsfTestServer.StartListening(database is null ? null : new Dictionary<string, string?>
            {
                ["SharpSignals:Storage"] = "postgres",
                ["ConnectionStrings:Postgres"] = database,
            });
            var iat = await CreateIatAsync(server, new { project = "p1", expires_in = 3600, single_use = true });

            var answers = await Task.WhenAll(RegisterAsync(server, (string)iat["token"]!), RegisterAsync(server, (string)iat["token"]!));
            using var third = await RegisterAsync(server, (string)iat["token"]!);
            var clients = await server.Admin.GetFromJsonAsync<JsonArray>("/admin/clients?project=p1");

            Assert.True((bool)iat["single_use"]!);
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Unauthorized], answers.Select(a => a.StatusCode).Order());
            Assert.Contains("invalid_token", answers.Single(a => a.StatusCode == HttpStatusCode.Unauthorized).Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, third.StatusCode);
            Assert.Contains("single-use", third.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Single(clients!);
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
        finally
        {
            if (database is not null)
            {
                PostgresTestServer.Instance.DropDatabase(database);
            }
        }
    }

    [Fact]
    public async Task Iat_WithoutSingleUse_RegistersAnyNumberOfClients()
    {
        await using var server = SsfTestServer.StartListening();
        var iat = await CreateIatAsync(server, new { project = "p1", expires_in = 3600 });

        using var first = await RegisterAsync(server, (string)iat["token"]!);
        using var second = await RegisterAsync(server, (string)iat["token"]!);

        Assert.False((bool)iat["single_use"]!);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }

    [Fact]
    public async Task Iat_SingleUseNotABoolean_Is400NamingIt()
    {
        await using var server = SsfTestServer.StartListening();

        using var response = await server.Admin.PostAsJsonAsync("/iat", new { project = "p1", single_use = "yes" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("single_use", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<JsonObject> CreateIatAsync(SsfTestServer server, object body)
    {
        using var response = await server.Admin.PostAsJsonAsync("/iat", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<HttpResponseMessage> RegisterAsync(SsfTestServer server, string iat)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Issuer) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/register") { Content = JsonContent.Create(new { client_name = "test" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", iat);
        return await http.SendAsync(request);
    }
}
