using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// De-duplication is per project (docs/GUIDE.md, "Receiving and routing"): the same SET pushed to inbound
/// streams in two projects is routed in each, and what one project takes in under another project's
/// source issuer never makes that project drop the source's genuine SET. Over loopback HTTP, with a
/// real transmitter signing and each project's receiver polling its outbound stream.
/// </summary>
public sealed class ProjectDeduplicationTests : IAsyncLifetime
{
    private const string SessionRevokedType = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private SsfTestServer _server = null!;
    private TestTransmitter _source = null!;
    private TestTransmitter _impostor = null!;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _source = await TestTransmitter.StartAsync();
        _impostor = await TestTransmitter.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _impostor.DisposeAsync();
        await _source.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Push_SameSetToInboundStreamsInTwoProjects_IsRoutedInEach()
    {
        using var first = await ProjectAsync("p1", new { issuer = _source.Issuer });
        using var second = await ProjectAsync("p2", new { issuer = _source.Issuer });
        var token = _source.Sign(_server.Issuer);

        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(first, token));
        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(second, token));
        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(second, token));

        Assert.Equal(ClaimOf(token, "txn"), Assert.Single(await PollTxnsAsync(first)));
        Assert.Equal(ClaimOf(token, "txn"), Assert.Single(await PollTxnsAsync(second)));
    }

    [Fact]
    public async Task Push_ImpostorInAnotherProjectTookTheJtiFirst_TheGenuineSetIsStillRouted()
    {
        using var genuine = await ProjectAsync("p1", new { issuer = _source.Issuer });

        // Another project's inbound stream names p1's source issuer, with keys of its own.
        using var impostor = await ProjectAsync("p2", new { issuer = _source.Issuer, jwks_uri = _impostor.JwksUri });
        var jti = Guid.NewGuid().ToString("N");
        var forged = _impostor.Sign(_server.Issuer, new { iss = _source.Issuer, jti, txn = "forged" });
        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(impostor, forged));

        var token = _source.Sign(_server.Issuer, new { jti, txn = "genuine" });
        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(genuine, token));

        Assert.Equal(["genuine"], await PollTxnsAsync(genuine));
        Assert.Equal(["forged"], await PollTxnsAsync(impostor));

        // GET /events/{jti} shows each client its own project's copy only.
        var mine = await genuine.Client.GetFromJsonAsync<JsonObject>($"/events/{jti}");
        Assert.Equal(("p1", token), ((string?)mine!["project"], (string?)mine["token"]));
        var theirs = await impostor.Client.GetFromJsonAsync<JsonObject>($"/events/{jti}");
        Assert.Equal(("p2", forged), ((string?)theirs!["project"], (string?)theirs["token"]));
        var asked = await _server.Admin.GetFromJsonAsync<JsonObject>($"/events/{jti}?project=p2");
        Assert.Equal("p2", (string?)asked!["project"]);
    }

    /// <summary>The project's inbound push stream from <paramref name="source"/> (the admin's), and a receiver of the project with its outbound poll stream.</summary>
    private async Task<Project> ProjectAsync(string project, object source)
    {
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new { direction = "inbound", project, delivery = new { method = "urn:ietf:rfc:8935" }, source });
        var (client, _, _) = await _server.RegisterClientAsync(project);
        var outbound = await SsfTestServer.CreateStreamAsync(client, new { delivery = new { method = "urn:ietf:rfc:8936" }, events_requested = new[] { SessionRevokedType } });
        return new Project(
            client,
            (string)inbound["stream_id"]!,
            (string)inbound["delivery"]!["authorization_header"]!,
            (string)outbound["stream_id"]!);
    }

    private async Task<HttpStatusCode> PushAsync(Project project, string token)
    {
        using var client = _server.Factory.CreateClient();
        var content = new StringContent(token, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{project.InboundId}") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", project.Credential);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The <c>txn</c> of every SET waiting on the project's outbound stream, each checked against this server's keys.</summary>
    private async Task<List<string?>> PollTxnsAsync(Project project)
    {
        var polled = await SsfTestServer.PollAsync(project.Client, project.OutboundId, new { returnImmediately = true });
        var txns = new List<string?>();
        foreach (var (_, set) in polled["sets"]!.AsObject())
        {
            var validation = await _server.ValidateAsync(set!.GetValue<string>());
            Assert.True(validation.IsValid, validation.Error?.Description);
            txns.Add(validation.Set!.Txn);
        }

        return txns;
    }

    private static string? ClaimOf(string token, string claim)
    {
        using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]));
        return payload.RootElement.GetProperty(claim).GetString();
    }

    private sealed record Project(HttpClient Client, string InboundId, string Credential, string OutboundId) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }
}
