using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Streams;

[Collection(ServerCollectionDefinition.Name)]
public sealed class StreamExportTests(LoopbackServer server)
{
    [Fact]
    public async Task ExportI2Scim_OutboundPoll_EveryFieldFromTheStreamAndAStreamCredential()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("i2scim-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "prov:create:full", "--description", "rcv stream", "--json"))
            .Succeeded().Json["stream_id"]!.GetValue<string>();
        var file = cli.File("rcv.json");

        var result = (await cli.RunAsync("stream", "export", id, "--format", "i2scim", "--output", file, "--server", "rx")).Succeeded();
        Assert.Contains("new stream credential", result.Error, StringComparison.Ordinal);

        using var rx = server.Client(await StreamCommandsTests.AccessTokenAsync(cli));
        var stream = await LoopbackServer.GetJsonAsync(rx, $"ssf/streams?stream_id={id}");
        var discovery = await LoopbackServer.GetJsonAsync(rx, ".well-known/ssf-configuration");
        var export = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        Assert.Equal(["alias", "id", "description", "token", "endpoint", "iss", "aud", "issJwksUrl"], export.Select(p => p.Key));
        Assert.Equal(id[..8], export["alias"]!.GetValue<string>());
        Assert.Equal(stream["stream_id"]!.GetValue<string>(), export["id"]!.GetValue<string>());
        Assert.Equal(stream["description"]!.GetValue<string>(), export["description"]!.GetValue<string>());
        Assert.Equal(stream["delivery"]!["endpoint_url"]!.GetValue<string>(), export["endpoint"]!.GetValue<string>());
        Assert.Equal(stream["iss"]!.GetValue<string>(), export["iss"]!.GetValue<string>());
        Assert.Equal(stream["aud"]!.GetValue<string>(), export["aud"]!.GetValue<string>());
        Assert.Equal(discovery["jwks_uri"]!.GetValue<string>(), export["issJwksUrl"]!.GetValue<string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // The token is the stream's own credential, which does not expire, and the node polls with it.
        var token = export["token"]!.GetValue<string>();
        Assert.StartsWith("Bearer ssc_", token, StringComparison.Ordinal);
        using var polled = await PollAsync(export["endpoint"]!.GetValue<string>(), token);
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
    }

    [Fact]
    public async Task ExportI2Scim_NewCredential_CarriesAStreamCredentialThatTheNextOneReplaces()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("i2scim-credential-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        var file = cli.File("rcv.json");

        var result = (await cli.RunAsync("stream", "export", id, "-f", "i2scim", "--new-credential", "--output", file, "--server", "rx")).Succeeded();
        var export = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var token = export["token"]!.GetValue<string>();
        using var polled = await PollAsync(export["endpoint"]!.GetValue<string>(), token);
        var rotated = (await cli.RunAsync("stream", "export", id, "-f", "i2scim", "--new-credential", "--server", "rx")).Succeeded().Json["token"]!.GetValue<string>();
        using var replaced = await PollAsync(export["endpoint"]!.GetValue<string>(), token);

        Assert.DoesNotContain("warning:", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("Bearer ssc_", token, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.NotEqual(token, rotated);
        Assert.Equal(HttpStatusCode.Unauthorized, replaced.StatusCode);
    }

    [Fact]
    public async Task StreamCredential_IssueThenRevoke_PollsThenIsRefused()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("credential-commands-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();

        var issued = (await cli.RunAsync("stream", "credential", "issue", id, "--server", "rx", "--json")).Succeeded().Json;
        var header = issued["authorization_header"]!.GetValue<string>();
        using var polled = await PollAsync(issued["endpoint_url"]!.GetValue<string>(), header);
        var revoked = (await cli.RunAsync("stream", "credential", "revoke", id, "--server", "rx")).Succeeded();
        using var refused = await PollAsync(issued["endpoint_url"]!.GetValue<string>(), header);

        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.Contains("Revoked", revoked.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    internal static async Task<HttpResponseMessage> PollAsync(string endpoint, string authorization)
    {
        using var node = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = JsonContent.Create(new { returnImmediately = true }) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await node.SendAsync(request);
    }

    [Fact]
    public async Task ExportI2Scim_AliasAndTokenGiven_Used()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("i2scim-alias-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();

        var export = (await cli.RunAsync("stream", "export", id, "-f", "i2scim", "--alias", "sQs", "--token", "long-lived", "--server", "rx")).Succeeded().Json;
        Assert.Equal("sQs", export["alias"]!.GetValue<string>());
        Assert.Equal("Bearer long-lived", export["token"]!.GetValue<string>());
        Assert.Equal("", export["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateInboundPush_WithI2ScimFile_CarriesTheReceiveCredentialAndSourceKeys()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var file = cli.File("pub.json");
        var created = (await cli.RunAsync("stream", "create", "--inbound", "--source-issuer", "http://127.0.0.1:9/scim-node",
            "--source-jwks", "http://127.0.0.1:9/scim-node/jwks", "--project", "i2scim-in-p", "--description", "Push Receiver",
            "--i2scim-file", file, "--alias", "node1", "--json")).Succeeded().Json;

        var export = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal("node1", export["alias"]!.GetValue<string>());
        Assert.Equal(created["stream_id"]!.GetValue<string>(), export["id"]!.GetValue<string>());
        Assert.Equal("Push Receiver", export["description"]!.GetValue<string>());
        Assert.Equal(created["delivery"]!["authorization_header"]!.GetValue<string>(), export["token"]!.GetValue<string>());
        Assert.Equal(created["delivery"]!["endpoint_url"]!.GetValue<string>(), export["endpoint"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/scim-node", export["iss"]!.GetValue<string>());
        Assert.Equal(string.Join(",", created["aud"] is JsonArray a ? a.Select(x => x!.GetValue<string>()) : [created["aud"]!.GetValue<string>()]), export["aud"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/scim-node/jwks", export["issJwksUrl"]!.GetValue<string>());

        // The file's credential is taken at the push endpoint (a SET that is no JWT is 400, not 401).
        using var first = await PushAsync(export["endpoint"]!.GetValue<string>(), export["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);

        // A later export cannot recover it: it issues a new one, says so, and the first stops working.
        var later = (await cli.RunAsync("stream", "export", created["stream_id"]!.GetValue<string>(), "--format", "i2scim")).Succeeded();
        Assert.StartsWith("Bearer ssc_", later.Json["token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("warning:", later.Error, StringComparison.Ordinal);
        using var replaced = await PushAsync(export["endpoint"]!.GetValue<string>(), export["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, replaced.StatusCode);
        using var renewed = await PushAsync(export["endpoint"]!.GetValue<string>(), later.Json["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, renewed.StatusCode);
    }

    internal static async Task<HttpResponseMessage> PushAsync(string endpoint, string authorization)
    {
        using var node = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent("not-a-jwt") };
        request.Content.Headers.ContentType = new("application/secevent+jwt");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await node.SendAsync(request);
    }

    [Fact]
    public async Task ExportDefault_IsTheStreamObject()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("export-ssf-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();
        using var rx = server.Client(await StreamCommandsTests.AccessTokenAsync(cli));

        var exported = (await cli.RunAsync("stream", "export", id, "--server", "rx")).Succeeded().Json;
        var stream = await LoopbackServer.GetJsonAsync(rx, $"ssf/streams?stream_id={id}");
        Assert.True(JsonNode.DeepEquals(stream, exported));
    }
}
