using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Registration;

[Collection(ServerCollectionDefinition.Name)]
public sealed class RegistrationTests(LoopbackServer server)
{
    [Fact]
    public async Task IatCreate_TokenOnStdout_RegistersClientInItsProject()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var created = (await cli.RunAsync("iat", "create", "--project", "reg-p", "--expires", "2h")).Succeeded();
        var iat = created.Out.Trim();
        Assert.DoesNotContain('\n', iat);
        Assert.Contains("project 'reg-p'", created.Error, StringComparison.Ordinal);

        var registered = (await cli.RunAsync("client", "register", "--iat", iat, "--name", "node-a", "--save-as", "node-a")).Succeeded();
        Assert.Contains("(shown once)", registered.Out, StringComparison.Ordinal);

        var clients = await LoopbackServer.GetJsonAsync(server.Admin, "admin/clients?project=reg-p");
        var client = Assert.Single(clients.AsArray());
        Assert.Equal("node-a", client!["client_name"]!.GetValue<string>());

        var listed = (await cli.RunAsync("client", "list", "--project", "reg-p", "--json")).Succeeded().Json.AsArray();
        Assert.Equal(client["client_id"]!.GetValue<string>(), Assert.Single(listed)!["client_id"]!.GetValue<string>());

        var whoami = (await cli.RunAsync("whoami", "--server", "node-a", "--json")).Succeeded().Json;
        Assert.Equal("reg-p", whoami["project"]!.GetValue<string>());
    }

    [Fact]
    public async Task IatCreate_JsonCarriesExpiry()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var json = (await cli.RunAsync("iat", "create", "--project", "exp-p", "--expires", "30m", "--json")).Succeeded().Json;
        var expiresAt = json["expires_at"]!.GetValue<long>();
        Assert.InRange(expiresAt - before, 1790, 1810);
    }

    [Fact]
    public async Task IatCreate_SingleUse_RegistersOneClientOnly()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var created = (await cli.RunAsync("iat", "create", "--project", "once-p", "--single-use")).Succeeded();
        var iat = created.Out.Trim();
        Assert.Contains("single-use initial access token", created.Error, StringComparison.Ordinal);

        (await cli.RunAsync("client", "register", "--iat", iat, "--name", "first")).Succeeded();
        var line = (await cli.RunAsync("client", "register", "--iat", iat, "--name", "second")).FailedWith(ExitCodes.Unauthorized);

        Assert.Contains("401", line, StringComparison.Ordinal);
        Assert.Single((await LoopbackServer.GetJsonAsync(server.Admin, "admin/clients?project=once-p")).AsArray());
    }

    [Fact]
    public async Task IatCreate_BadDuration_UsageError()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        (await cli.RunAsync("iat", "create", "--expires", "soon")).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task ClientRegister_InvalidIat_Refused()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var line = (await cli.RunAsync("client", "register", "--iat", "made-up")).FailedWith(ExitCodes.Unauthorized);
        Assert.Contains("401", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientRevoke_RevokesAndUnknownIs404()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var clientId = await cli.RegisterClientAsync("revoke-p");

        (await cli.RunAsync("client", "revoke", clientId)).Succeeded();
        var clients = await LoopbackServer.GetJsonAsync(server.Admin, "admin/clients?project=revoke-p");
        Assert.NotNull(Assert.Single(clients.AsArray())!["revoked_at"]);

        var line = (await cli.RunAsync("client", "revoke", clientId)).FailedWith(ExitCodes.Failure);
        Assert.Contains("404", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCommand_WithClientProfile_Forbidden()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("forbid-p");
        var line = (await cli.RunAsync("client", "list", "--server", "rx")).FailedWith(ExitCodes.Failure);
        Assert.Contains("403", line, StringComparison.Ordinal);
    }
}
