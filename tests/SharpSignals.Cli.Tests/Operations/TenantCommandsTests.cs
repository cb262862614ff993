using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Operations;

/// <summary>
/// <c>ssf tenant</c> against a real server, and a profile whose URL is a tenant's issuer (<c>/t/NAME</c>)
/// driving the usual commands within that tenant. Tenant names are never used twice, so each test makes its own.
/// </summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class TenantCommandsTests(LoopbackServer server)
{
    [Fact]
    public async Task Tenant_CreateListRotateDelete_AsTheServersAdmin()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var name = NewName("life");

        var created = (await cli.RunAsync("tenant", "create", name, "--json")).Succeeded().Json;
        Assert.Equal(name, created["name"]!.GetValue<string>());
        Assert.Equal($"{server.Url}/t/{name}", created["issuer"]!.GetValue<string>());
        Assert.Equal($"{server.Url}/.well-known/ssf-configuration/t/{name}", created["configuration_url"]!.GetValue<string>());
        var firstToken = created["admin_token"]!.GetValue<string>();

        var listed = (await cli.RunAsync("tenant", "list", "--json")).Succeeded().Json.AsArray();
        var row = Assert.Single(listed, t => t!["name"]!.GetValue<string>() == name)!;
        Assert.Null(row["admin_token"]);
        Assert.Contains(name, (await cli.RunAsync("tenant", "list")).Succeeded().Out, StringComparison.Ordinal);

        // The table shows the token once, with how to use it.
        var rotated = (await cli.RunAsync("tenant", "rotate-admin-token", name)).Succeeded().Out;
        Assert.Contains("(shown once)", rotated, StringComparison.Ordinal);
        Assert.Contains($"ssf server add {name} {server.Url}/t/{name}", rotated, StringComparison.Ordinal);
        Assert.DoesNotContain(firstToken, rotated, StringComparison.Ordinal);

        // Refusals are the server's problem details in one line; nothing changes.
        Assert.Contains("409", (await cli.RunAsync("tenant", "create", name)).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
        Assert.Contains("400", (await cli.RunAsync("tenant", "create", "Not_A_Name")).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
        Assert.Contains("--yes", (await cli.RunAsync("tenant", "delete", name)).FailedWith(ExitCodes.Usage), StringComparison.Ordinal);
        Assert.Single((await cli.RunAsync("tenant", "list", "--json")).Succeeded().Json.AsArray(), t => t!["name"]!.GetValue<string>() == name);

        Assert.Equal(name, (await cli.RunAsync("tenant", "delete", name, "--yes", "--json")).Succeeded().Json["deleted"]!.GetValue<string>());
        Assert.DoesNotContain((await cli.RunAsync("tenant", "list", "--json")).Succeeded().Json.AsArray(), t => t!["name"]!.GetValue<string>() == name);
        Assert.Contains("404", (await cli.RunAsync("tenant", "delete", name, "--yes")).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
        Assert.Contains("404", (await cli.RunAsync("tenant", "rotate-admin-token", name)).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
        Assert.Contains("409", (await cli.RunAsync("tenant", "create", name)).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenantsBaseUrl_AsAProfile_RunsTheUsualCommandsInsideThatTenantOnly()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var name = NewName("prof");
        var created = (await cli.RunAsync("tenant", "create", name, "--json")).Succeeded().Json;
        var issuer = created["issuer"]!.GetValue<string>();

        (await cli.RunAsync("server", "add", name, issuer)).Succeeded();
        (await cli.RunWithInputAsync(server.AdminToken, "login", "--token-stdin", "--server", name)).FailedWith(ExitCodes.Unauthorized);
        (await cli.RunWithInputAsync(created["admin_token"]!.GetValue<string>(), "login", "--token-stdin", "--server", name)).Succeeded();

        // A client registered under the tenant, its stream, an event published and polled: all at /t/NAME.
        var iat = (await cli.RunAsync("iat", "create", "--project", "apps", "--server", name)).Succeeded().Out.Trim();
        (await cli.RunAsync("client", "register", "--iat", iat, "--scope", "ssf.manage ssf.read event.publish", "--save-as", name + "-rx", "--server", name)).Succeeded();
        var stream = (await cli.RunAsync("stream", "create", "--server", name + "-rx", "--events", "session-revoked", "--json")).Succeeded().Json;
        var id = stream["stream_id"]!.GetValue<string>();
        Assert.Equal(issuer, stream["iss"]!.GetValue<string>());
        (await cli.RunAsync("event", "generate", "--count", "2", "--server", name + "-rx")).Succeeded();
        var polled = (await cli.RunAsync("poll", id, "--server", name + "-rx", "--ack", "--json")).Succeeded().Json;
        Assert.Equal(2, polled["acknowledged"]!.AsArray().Count);

        // The tenant's admin sees its own stream; the server's admin, at the root, does not.
        Assert.Contains(id, (await cli.RunAsync("status", "--server", name)).Succeeded().Out, StringComparison.Ordinal);
        var rootStreams = (await cli.RunAsync("status", "--json")).Succeeded().Json.AsArray();
        Assert.DoesNotContain(rootStreams, s => s!["stream_id"]!.GetValue<string>() == id);

        // Discovery by RFC 8615 path insertion: the export names the tenant's own JWKS.
        var export = JsonNode.Parse((await cli.RunAsync("stream", "export", id, "--format", "i2scim", "--server", name + "-rx")).Succeeded().Out)!;
        Assert.Equal(issuer, export["iss"]!.GetValue<string>());
        Assert.StartsWith(issuer + "/", export["issJwksUrl"]!.GetValue<string>(), StringComparison.Ordinal);

        // Managing tenants is the server's admin's alone, at the root.
        Assert.Contains("404", (await cli.RunAsync("tenant", "list", "--server", name)).FailedWith(ExitCodes.Failure), StringComparison.Ordinal);
    }

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}
