using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>What an inbound stream may be created or changed with (docs/API.md, "Inbound streams"): each bad body is refused, naming what is wrong, and creates nothing.</summary>
public sealed class InboundStreamRulesTests : IAsyncLifetime
{
    private const string Issuer = "https://tx.example.com";

    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new SsfTestServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> BadBodies() => new()
    {
        { """{"direction":"inbound"}""", "source is required" },
        { """{"direction":"inbound","source":{}}""", "source.issuer is required" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com","replica":"yes"}}""", "source.replica must be true or false" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com","echo":"yes"}}""", "source.echo must be true or false" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com","echo":true}}""", "a stream the admin creates has no owner to echo to" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com","echo":true,"replica":true}}""", "source.replica (retired: no echo is the default) contradicts source.echo" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com"},"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://elsewhere.example.com/push"}}""", "are set by this server" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com"},"delivery":{"method":"urn:ietf:rfc:8936"}}""", "delivery.endpoint_url" },
        { """{"direction":"inbound","source":{"issuer":"https://tx.example.com","client_id":"c"}}""", "source.client_id and source.client_secret go together" },
        { """{"direction":"sideways"}""", "direction must be outbound or inbound" },
        { """{"source":{"issuer":"https://tx.example.com"}}""", "source is only for inbound streams" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Create_BadInboundBody_Is400NamingTheProblemAndCreatesNothing(string body, string expected)
    {
        using var response = await _server.Admin.PostAsync("/ssf/streams", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await _server.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Fact]
    public async Task Create_InboundWithoutThePublishScope_Is403AndCreatesNothing()
    {
        var (client, _, _) = await _server.RegisterClientAsync(scope: "ssf.manage ssf.read");

        using var response = await client.PostAsJsonAsync("/ssf/streams", new { direction = "inbound", source = new { issuer = Issuer } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty((await _server.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Theory]
    [InlineData("""{"source":{"issuer":"https://other.example.com"}}""", "source cannot be changed")]
    [InlineData("""{"delivery":{"method":"urn:ietf:rfc:8936","endpoint_url":"https://tx.example.com/poll"}}""", "cannot be changed")]
    public async Task Update_InboundSourceOrDelivery_Is400AndChangesNothing(string change, string expected)
    {
        var created = await SsfTestServer.CreateStreamAsync(_server.Admin, new { direction = "inbound", source = new { issuer = Issuer } });
        var id = created["stream_id"]!.GetValue<string>();
        var body = JsonNode.Parse(change)!.AsObject();
        body["stream_id"] = id;

        using var response = await _server.Admin.PatchAsJsonAsync("/ssf/streams", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await _server.Admin.GetFromJsonAsync<JsonObject>($"/ssf/streams?stream_id={id}"))!;
        Assert.Equal(Issuer, stored["source"]!["issuer"]!.GetValue<string>());
        Assert.Equal("urn:ietf:rfc:8935", stored["delivery"]!["method"]!.GetValue<string>());
    }
}
