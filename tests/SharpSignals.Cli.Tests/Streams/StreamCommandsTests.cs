using System.Net;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Streams;

[Collection(ServerCollectionDefinition.Name)]
public sealed class StreamCommandsTests(LoopbackServer server)
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    private const string ScimCreateFull = "urn:ietf:params:scim:event:prov:create:full";

    [Fact]
    public async Task StreamLifecycle_CreateGetListUpdateDelete()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var clientId = await cli.RegisterClientAsync("life-p");
        using var rx = server.Client(await AccessTokenAsync(cli));

        var created = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "prov:create:full", "--description", "poll rx", "--json")).Succeeded().Json;
        var id = created["stream_id"]!.GetValue<string>();
        var stored = await LoopbackServer.GetJsonAsync(rx, $"ssf/streams?stream_id={id}");
        Assert.Equal("urn:ietf:rfc:8936", stored["delivery"]!["method"]!.GetValue<string>());
        Assert.Equal([SessionRevoked, ScimCreateFull], stored["events_requested"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("poll rx", stored["description"]!.GetValue<string>());
        Assert.Equal(clientId, stored["aud"]!.GetValue<string>());

        var shown = (await cli.RunAsync("stream", "get", id, "--server", "rx")).Succeeded().Out;
        Assert.Contains("session-revoked, prov:create:full", shown, StringComparison.Ordinal);
        Assert.Contains("/ssf/poll/" + id, shown, StringComparison.Ordinal);
        Assert.Contains(id, (await cli.RunAsync("stream", "list", "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);

        (await cli.RunAsync("stream", "update", id, "--server", "rx", "--events", "credential-change", "--route-mode", "forward", "--description", "changed")).Succeeded();
        stored = await LoopbackServer.GetJsonAsync(rx, $"ssf/streams?stream_id={id}");
        Assert.Equal([CredentialChange], stored["events_requested"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("forward", stored["route_mode"]!.GetValue<string>());
        Assert.Equal("changed", stored["description"]!.GetValue<string>());

        (await cli.RunAsync("stream", "delete", id, "--server", "rx")).Succeeded();
        Assert.Equal(HttpStatusCode.NotFound, await LoopbackServer.StatusOfAsync(rx, $"ssf/streams?stream_id={id}"));
        var line = (await cli.RunAsync("stream", "get", id, "--server", "rx")).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamCreate_UnknownEventName_NothingSent()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("unknown-p");
        var line = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revokd")).FailedWith(ExitCodes.Usage);
        Assert.Contains("session-revokd", line, StringComparison.Ordinal);
        Assert.Empty((await cli.RunAsync("stream", "list", "--server", "rx", "--json")).Succeeded().Json.AsArray());
    }

    [Fact]
    public async Task StreamCreate_OutboundPush_NeedsEndpoint_AndSendsHeader()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("push-p");
        (await cli.RunAsync("stream", "create", "--server", "rx", "--delivery", "push")).FailedWith(ExitCodes.Usage);

        var created = (await cli.RunAsync("stream", "create", "--server", "rx", "--delivery", "push", "--endpoint", "http://127.0.0.1:9/events",
            "--authorization", "Bearer rx-secret", "--events", "session-revoked", "--json")).Succeeded().Json;
        Assert.Equal("urn:ietf:rfc:8935", created["delivery"]!["method"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/events", created["delivery"]!["endpoint_url"]!.GetValue<string>());

        // Inbound-only options on an outbound stream are refused before anything is sent.
        (await cli.RunAsync("stream", "create", "--server", "rx", "--source-issuer", "https://idp.example.com")).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task StreamCreate_InboundPush_ShowsReceiveCredentialOnce()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var created = (await cli.RunAsync("stream", "create", "--inbound", "--source-issuer", "https://idp.example.com",
            "--source-jwks", "https://idp.example.com/jwks.json", "--route-mode", "forward", "--project", "in-p")).Succeeded().Out;
        Assert.Contains("authorization_header", created, StringComparison.Ordinal);
        Assert.Contains("(shown once", created, StringComparison.Ordinal);

        var streams = await LoopbackServer.GetJsonAsync(server.Admin, "ssf/streams?project=in-p");
        var stream = Assert.Single(streams.AsArray())!;
        Assert.Equal("inbound", stream["direction"]!.GetValue<string>());
        Assert.Equal("forward", stream["route_mode"]!.GetValue<string>());
        Assert.Equal("https://idp.example.com", stream["source"]!["issuer"]!.GetValue<string>());
        Assert.Equal("https://idp.example.com/jwks.json", stream["source"]!["jwks_uri"]!.GetValue<string>());
        Assert.EndsWith("/ssf/push/" + stream["stream_id"]!.GetValue<string>(), stream["delivery"]!["endpoint_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(stream["delivery"]!["authorization_header"]);
    }

    [Fact]
    public async Task StreamCreate_InboundWithEcho_OptsTheStreamIntoEchoes_WithoutItEchoIsOff()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("echo-p");
        using var rx = server.Client(await AccessTokenAsync(cli));

        var echoing = (await cli.RunAsync("stream", "create", "--server", "rx", "--inbound", "--source-issuer", "http://127.0.0.1:9/node-a", "--echo")).Succeeded().Out;
        var plain = (await cli.RunAsync("stream", "create", "--server", "rx", "--inbound", "--source-issuer", "http://127.0.0.1:9/node-b", "--json")).Succeeded().Json;

        Assert.Contains("source.echo", echoing, StringComparison.Ordinal);
        Assert.Contains("yes: also to the owner's own outbound streams", echoing, StringComparison.Ordinal);
        var streams = (await LoopbackServer.GetJsonAsync(rx, "ssf/streams")).AsArray();
        Assert.Equal(2, streams.Count);
        var stored = streams.Single(s => s!["source"]!["issuer"]!.GetValue<string>() == "http://127.0.0.1:9/node-a")!;
        Assert.True(stored["source"]!["echo"]!.GetValue<bool>());
        Assert.False(streams.Single(s => s!["stream_id"]!.GetValue<string>() == plain["stream_id"]!.GetValue<string>())!["source"]!["echo"]!.GetValue<bool>());

        // On an outbound stream the option means nothing: refused before anything is sent.
        (await cli.RunAsync("stream", "create", "--server", "rx", "--echo")).FailedWith(ExitCodes.Usage);
        Assert.Equal(2, (await LoopbackServer.GetJsonAsync(rx, "ssf/streams")).AsArray().Count);
    }

    [Theory]
    [InlineData("--inbound")]
    [InlineData("--join", "https://tx.example.com")]
    public async Task StreamCreate_InboundWithoutWhatItNeeds_UsageError(params string[] options)
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        (await cli.RunAsync(["stream", "create", .. options])).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task StreamStatusAndVerify_ChangeTheServer()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("status-p");
        using var rx = server.Client(await AccessTokenAsync(cli));
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();

        (await cli.RunAsync("stream", "verify", id, "--server", "rx", "--state", "check-1")).Succeeded();
        var polled = (await cli.RunAsync("poll", id, "--server", "rx", "--json")).Succeeded().Json;
        var token = Assert.Single(polled["sets"]!.AsObject()).Value!.GetValue<string>();
        var decoded = (await cli.RunAsync("decode", token, "--json")).Succeeded().Json;
        Assert.Equal("check-1", decoded["claims"]!["events"]!["https://schemas.openid.net/secevent/ssf/event-type/verification"]!["state"]!.GetValue<string>());

        (await cli.RunAsync("stream", "status", id, "--server", "rx", "--set", "paused", "--reason", "maintenance")).Succeeded();
        var status = await LoopbackServer.GetJsonAsync(rx, $"ssf/status?stream_id={id}");
        Assert.Equal("paused", status["status"]!.GetValue<string>());
        Assert.Equal("maintenance", status["reason"]!.GetValue<string>());
        Assert.Contains("paused", (await cli.RunAsync("stream", "status", id, "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);

        (await cli.RunAsync("stream", "status", id, "--server", "rx", "--set", "sleeping")).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task SubjectAddRemove_ValidatedAndSent()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("subject-p");
        var id = (await cli.RunAsync("stream", "create", "--server", "rx", "--json")).Succeeded().Json["stream_id"]!.GetValue<string>();

        Assert.Contains("email:alice@example.com", (await cli.RunAsync("subject", "add", id, "email:alice@example.com", "--server", "rx")).Succeeded().Out, StringComparison.Ordinal);
        (await cli.RunAsync("subject", "add", id, "iss_sub:https://idp.example.com|1234", "--server", "rx")).Succeeded();
        (await cli.RunAsync("subject", "remove", id, "email:alice@example.com", "--server", "rx")).Succeeded();

        (await cli.RunAsync("subject", "add", id, "fax:12345", "--server", "rx")).FailedWith(ExitCodes.Usage);
        (await cli.RunAsync("subject", "add", id, "{\"format\":\"email\"}", "--server", "rx")).FailedWith(ExitCodes.Usage);
        var line = (await cli.RunAsync("subject", "add", "no-such-stream", "email:a@example.com", "--server", "rx")).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    internal static async Task<string> AccessTokenAsync(CliSession cli, string profile = "rx")
    {
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(cli.File("credentials.json")))!;
        return stored[profile]!["access_token"]!.GetValue<string>();
    }
}
