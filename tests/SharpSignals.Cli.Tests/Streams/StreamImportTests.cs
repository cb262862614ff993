using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;
using SharpSignals.Tokens.Encryption;

namespace SharpSignals.Cli.Tests.Streams;

/// <summary>
/// <c>ssf stream import --format i2scim</c>: the files an i2scim node reads, as goSignals writes them
/// (members and values shaped as i2scim's own test files; every URL on loopback), made streams here.
/// </summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class StreamImportTests(LoopbackServer server)
{
    private static readonly string[] ScimFromNode =
    [
        "urn:ietf:params:scim:event:prov:create:full", "urn:ietf:params:scim:event:prov:put:full", "urn:ietf:params:scim:event:prov:patch:full",
        "urn:ietf:params:scim:event:prov:delete", "urn:ietf:params:scim:event:prov:create:notice", "urn:ietf:params:scim:event:prov:put:notice",
        "urn:ietf:params:scim:event:prov:patch:notice",
    ];

    [Fact]
    public async Task ImportPubFile_AsAdmin_InboundPushStreamOfTheNodesIssuer_AndTheNodesNewFile()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var file = cli.File("pub.json");
        await File.WriteAllTextAsync(file, GoSignalsFile("sQs", "Push Receiver", "http://127.0.0.1:9/events/6525f54e86b849e69ca1a779", "cluster.scim.example.com", "cluster.example.com,monitor.example.com", "http://127.0.0.1:9/jwks/node1"));

        var result = (await cli.RunAsync("stream", "import", "--format", "i2scim", file, "--output", file, "--project", "import-pub-p")).Succeeded();

        var written = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var id = written["id"]!.GetValue<string>();
        var stream = await LoopbackServer.GetJsonAsync(server.Admin, $"ssf/streams?stream_id={id}");
        Assert.Contains($"Created inbound push stream {id}", result.Out, StringComparison.Ordinal);
        Assert.Equal("inbound", stream["direction"]!.GetValue<string>());
        Assert.Equal("import-pub-p", stream["project"]!.GetValue<string>());
        Assert.Equal("Push Receiver", stream["description"]!.GetValue<string>());
        Assert.Equal("cluster.scim.example.com", stream["source"]!["issuer"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/jwks/node1", stream["source"]!["jwks_uri"]!.GetValue<string>());
        Assert.Equal(["cluster.example.com", "monitor.example.com"], stream["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(ScimFromNode, stream["events_requested"]!.AsArray().Select(e => e!.GetValue<string>()));

        // The node's new file: this server's endpoint and the stream's credential; its alias, issuer, aud and keys kept.
        Assert.Equal("sQs", written["alias"]!.GetValue<string>());
        Assert.Equal(stream["delivery"]!["endpoint_url"]!.GetValue<string>(), written["endpoint"]!.GetValue<string>());
        Assert.Equal("cluster.scim.example.com", written["iss"]!.GetValue<string>());
        Assert.Equal("cluster.example.com,monitor.example.com", written["aud"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/jwks/node1", written["issJwksUrl"]!.GetValue<string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var pushed = await StreamExportTests.PushAsync(written["endpoint"]!.GetValue<string>(), written["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, pushed.StatusCode); // the credential is taken; "not-a-jwt" is not
        Assert.DoesNotContain("warning:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportRcvFile_AsClient_OutboundPollStream_AndSaysWhatTheNodeMustChange()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var clientId = await cli.RegisterClientAsync("import-rcv-p");
        var file = cli.File("rcv.json");
        await File.WriteAllTextAsync(file, GoSignalsFile("rMy", "Poll Publisher", "http://127.0.0.1:9/poll/6525f6a386b849e69ca1a77d", "cluster.scim.example.com", "cluster.example.com", "http://127.0.0.1:9/jwks/cluster.scim.example.com"));
        var discovery = await LoopbackServer.GetJsonAsync(server.Admin, ".well-known/ssf-configuration");

        var result = (await cli.RunAsync("stream", "import", "-f", "i2scim", file, "--server", "rx")).Succeeded();

        var written = JsonNode.Parse(result.Out)!;
        var id = written["id"]!.GetValue<string>();
        var stream = await LoopbackServer.GetJsonAsync(server.Admin, $"ssf/streams?stream_id={id}");
        Assert.Equal("outbound", stream["direction"]!.GetValue<string>());
        Assert.Equal("urn:ietf:rfc:8936", stream["delivery"]!["method"]!.GetValue<string>());
        Assert.Equal(ScimFromNode[..4], stream["events_requested"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(clientId, stream["aud"]!.GetValue<string>());

        Assert.Equal(stream["delivery"]!["endpoint_url"]!.GetValue<string>(), written["endpoint"]!.GetValue<string>());
        Assert.Equal(server.Url, written["iss"]!.GetValue<string>());
        Assert.Equal(clientId, written["aud"]!.GetValue<string>());
        Assert.Equal(discovery["jwks_uri"]!.GetValue<string>(), written["issJwksUrl"]!.GetValue<string>());
        using var polled = await StreamExportTests.PollAsync(written["endpoint"]!.GetValue<string>(), written["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);

        // A client cannot keep the file's aud nor this server sign as the file's issuer: both are said.
        Assert.Contains($"aud {clientId}, not cluster.example.com", result.Error, StringComparison.Ordinal);
        Assert.Contains($"signed by this server ({server.Url}), not cluster.scim.example.com", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UnknownMissingAndNonStringMembers_AllNamedAndNothingCreated()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var file = cli.File("bad.json");
        await File.WriteAllTextAsync(file, """{"alias":"x","tokn":"Bearer T","endpoint":"http://127.0.0.1:9/events/1","aud":["a"],"extra":1}""");

        var line = (await cli.RunAsync("stream", "import", "--format", "i2scim", file, "--project", "import-bad-p")).FailedWith(ExitCodes.Usage);

        Assert.Contains("unknown members: tokn, extra", line, StringComparison.Ordinal);
        Assert.Contains("missing members: iss", line, StringComparison.Ordinal);
        Assert.Contains("members that are not strings: aud", line, StringComparison.Ordinal);
        var streams = await LoopbackServer.GetJsonAsync(server.Admin, "ssf/streams?project=import-bad-p");
        Assert.Empty(streams.AsArray());
    }

    [Fact]
    public async Task Import_EndpointSaysNeitherPushNorPoll_NeedsAs_ThenTakesIt()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var file = cli.File("stream.json");
        await File.WriteAllTextAsync(file, GoSignalsFile("n1", "", "http://127.0.0.1:9/signals/1", "http://127.0.0.1:9/node1", "cluster.example.com", ""));

        var line = (await cli.RunAsync("stream", "import", "--format", "i2scim", file, "--project", "import-as-p")).FailedWith(ExitCodes.Usage);
        var imported = (await cli.RunAsync("stream", "import", "--format", "i2scim", file, "--as", "pub", "--project", "import-as-p", "--events", "prov:delete")).Succeeded();

        Assert.Contains("--as pub or --as rcv", line, StringComparison.Ordinal);
        var stream = await LoopbackServer.GetJsonAsync(server.Admin, $"ssf/streams?stream_id={JsonNode.Parse(imported.Out)!["id"]!.GetValue<string>()}");
        Assert.Equal("inbound", stream["direction"]!.GetValue<string>());
        Assert.Equal(["urn:ietf:params:scim:event:prov:delete"], stream["events_requested"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Null(stream["source"]!["jwks_uri"]);
    }

    [Fact]
    public async Task ImportRcvFile_WithEncryption_EncryptedToThatKey_AndEveryFileOfTheStreamSaysSo()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        using var rsa = RSA.Create(2048);
        var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false)) { KeyId = "node1-enc" });
        var jwk = new JsonObject { ["kty"] = "RSA", ["use"] = "enc", ["kid"] = key.Kid, ["n"] = key.N, ["e"] = key.E };
        var file = cli.File("rcv.json");
        var rcv = JsonNode.Parse(GoSignalsFile("rMy", "Poll Publisher", "http://127.0.0.1:9/poll/1", "cluster.scim.example.com", "cluster.example.com", ""))!;
        rcv["encryption"] = new JsonObject { ["jwk"] = jwk, ["alg"] = SetEncryption.RsaOaep, ["enc"] = SetEncryption.A128CbcHs256 };
        await File.WriteAllTextAsync(file, rcv.ToJsonString());

        var written = JsonNode.Parse((await cli.RunAsync("stream", "import", "-f", "i2scim", file, "--project", "import-enc-p")).Succeeded().Out)!;
        var id = written["id"]!.GetValue<string>();
        var stream = await LoopbackServer.GetJsonAsync(server.Admin, $"ssf/streams?stream_id={id}");
        var exported = (await cli.RunAsync("stream", "export", id, "-f", "i2scim")).Succeeded().Json;

        Assert.Equal(SetEncryption.RsaOaep, stream["encryption"]!["alg"]!.GetValue<string>());
        Assert.Equal(key.N, stream["encryption"]!["jwk"]!["n"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(stream["encryption"], written["encryption"]), written.ToJsonString());
        Assert.True(JsonNode.DeepEquals(stream["encryption"], exported["encryption"]), exported.ToJsonString());

        // A pub file has no use for it: what a node pushes is encrypted to this server's key.
        var pub = cli.File("pub.json");
        rcv["endpoint"] = "http://127.0.0.1:9/events/1";
        await File.WriteAllTextAsync(pub, rcv.ToJsonString());
        var refused = (await cli.RunAsync("stream", "import", "-f", "i2scim", pub, "--project", "import-enc-p")).FailedWith(ExitCodes.Usage);
        Assert.Contains("encryption is for a rcv file", refused, StringComparison.Ordinal);
    }

    /// <summary>A stream file with goSignals' members in goSignals' order.</summary>
    internal static string GoSignalsFile(string alias, string description, string endpoint, string iss, string aud, string issJwksUrl) => new JsonObject
    {
        ["alias"] = alias,
        ["id"] = "6525f54e86b849e69ca1a779",
        ["description"] = description,
        ["token"] = "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        ["endpoint"] = endpoint,
        ["iss"] = iss,
        ["aud"] = aud,
        ["issJwksUrl"] = issJwksUrl,
    }.ToJsonString();
}
