using System.Text.Json.Nodes;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests;

/// <summary>The operator's walkthrough (docs/CLI.md, "A walkthrough"), command by command.</summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class EndToEndTests(LoopbackServer server)
{
    [Fact]
    public async Task Walkthrough_ServerAddToReplay()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "local", server.Url)).Succeeded();
        (await cli.RunAsync("login", "--token-file", server.AdminTokenFile)).Succeeded();
        var iat = (await cli.RunAsync("iat", "create", "--project", "e2e")).Succeeded().Out.Trim();
        (await cli.RunAsync("client", "register", "--iat", iat, "--name", "receiver-1", "--save-as", "rx")).Succeeded();
        var stream = (await cli.RunAsync("stream", "create", "--server", "rx", "--events", "session-revoked", "--description", "demo receiver", "--json")).Succeeded().Json;
        var id = stream["stream_id"]!.GetValue<string>();
        Assert.Equal("urn:ietf:rfc:8936", stream["delivery"]!["method"]!.GetValue<string>());
        (await cli.RunAsync("stream", "verify", id, "--server", "rx")).Succeeded();

        var generated = (await cli.RunAsync("event", "generate", "--count", "5", "--project", "e2e")).Succeeded();
        Assert.Contains("Published 5 session-revoked events", generated.Out, StringComparison.Ordinal);

        var first = (await cli.RunAsync("poll", id, "--server", "rx", "--ack", "--json")).Succeeded().Json;
        var received = Decode(first);
        Assert.Equal(6, received.Count);
        Assert.Equal(1, received.Count(t => t.Contains("verification", StringComparison.Ordinal)));
        Assert.Equal(5, received.Count(t => t.Contains("session-revoked", StringComparison.Ordinal)));
        Assert.Equal(6, first["acknowledged"]!.AsArray().Count);

        var dry = (await cli.RunAsync("replay", id, "--from", "1h", "--dry-run", "--json")).Succeeded().Json;
        Assert.Equal(6, dry["count"]!.GetValue<long>());
        Assert.Empty((await cli.RunAsync("poll", id, "--server", "rx", "--json")).Succeeded().Json["sets"]!.AsObject());

        (await cli.RunAsync("replay", id, "--from", "1h")).Succeeded();
        var again = (await cli.RunAsync("poll", id, "--server", "rx", "--ack", "--json")).Succeeded().Json;
        Assert.Equal(first["sets"]!.AsObject().Select(p => p.Key), again["sets"]!.AsObject().Select(p => p.Key));

        var status = (await cli.RunAsync("status", "--project", "e2e", "--json")).Succeeded().Json.AsArray();
        Assert.Equal(0, Assert.Single(status)!["pending"]!.GetValue<long>());
    }

    private static List<string> Decode(JsonNode poll) =>
        [.. poll["sets"]!.AsObject().Select(p => System.Text.Encoding.UTF8.GetString(
            Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(p.Value!.GetValue<string>().Split('.')[1])))];
}
