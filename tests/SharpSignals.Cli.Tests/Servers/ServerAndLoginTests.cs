using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;

namespace SharpSignals.Cli.Tests.Servers;

[Collection(ServerCollectionDefinition.Name)]
public sealed class ServerAndLoginTests(LoopbackServer server)
{
    [Fact]
    public async Task ServerAdd_FirstProfile_IsSelectedAndListed()
    {
        using var cli = new CliSession();
        var added = (await cli.RunAsync("server", "add", "local", server.Url + "/")).Succeeded();
        Assert.Contains("now in use", added.Out, StringComparison.Ordinal);
        (await cli.RunAsync("server", "add", "other", "https://ssf.example.com")).Succeeded();

        var list = (await cli.RunAsync("server", "list", "--json")).Succeeded().Json.AsArray();
        Assert.Equal(2, list.Count);
        var local = list.Single(p => p!["name"]!.GetValue<string>() == "local")!;
        Assert.Equal(server.Url, local["url"]!.GetValue<string>());
        Assert.True(local["current"]!.GetValue<bool>());
        Assert.Equal("not logged in", local["login"]!.GetValue<string>());

        (await cli.RunAsync("server", "use", "other")).Succeeded();
        var table = (await cli.RunAsync("server", "list")).Succeeded().Out;
        Assert.Contains("│ * │ other", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server", "add", "x", "not a url")]
    [InlineData("server", "add", "x", "ftp://example.com")]
    [InlineData("server", "use", "missing")]
    [InlineData("server", "add")]
    [InlineData("stream", "create", "--delivery", "carrier-pigeon")]
    public async Task BadInput_OneLineUsageError(params string[] args)
    {
        using var cli = new CliSession();
        (await cli.RunAsync(args)).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task Login_AdminTokenFile_StoredOwnerOnlyAndWhoamiChecksIt()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);

        var credentials = cli.File("credentials.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(credentials))!;
        Assert.Equal(server.AdminToken, stored["local"]!["token"]!.GetValue<string>());

        var whoami = (await cli.RunAsync("whoami", "--json")).Succeeded().Json;
        Assert.Equal("admin", whoami["kind"]!.GetValue<string>());
        Assert.True(whoami["valid"]!.GetValue<bool>());
        Assert.Contains("accepted by the server", (await cli.RunAsync("whoami")).Succeeded().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TokenFromStdin_Works()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "local", server.Url)).Succeeded();
        (await cli.RunWithInputAsync(server.AdminToken + "\n", "login", "--token-stdin")).Succeeded();
        (await cli.RunAsync("key", "list")).Succeeded();
    }

    [Fact]
    public async Task Login_WrongAdminToken_RefusedInOneLineAndNotSaved()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "local", server.Url)).Succeeded();
        var line = (await cli.RunWithInputAsync("not-the-token\n", "login", "--token-stdin")).FailedWith(ExitCodes.Unauthorized);
        Assert.Contains("401", line, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("credentials.json")));
    }

    [Fact]
    public async Task Login_NoCredentialWithoutTerminal_UsageError()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "local", server.Url)).Succeeded();
        (await cli.RunAsync("login")).FailedWith(ExitCodes.Usage);
    }

    [Fact]
    public async Task CredentialsReadableByOthers_Warned()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        File.SetUnixFileMode(cli.File("credentials.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = (await cli.RunAsync("whoami")).Succeeded();
        Assert.Contains("warning:", result.Error, StringComparison.Ordinal);
        Assert.Contains("readable by others", result.Error, StringComparison.Ordinal);
        Assert.Contains("chmod 600", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_ClientCredentials_ObtainsTokenAndUsesIt()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var iat = (await cli.RunAsync("iat", "create", "--project", "login-p")).Succeeded().Out.Trim();
        var registered = (await cli.RunAsync("client", "register", "--iat", iat, "--json")).Succeeded().Json;
        (await cli.RunAsync("server", "add", "me", server.Url)).Succeeded();

        (await cli.RunAsync("login", "--server", "me", "--client-id", registered["client_id"]!.GetValue<string>(),
            "--client-secret", registered["client_secret"]!.GetValue<string>())).Succeeded();

        var whoami = (await cli.RunAsync("whoami", "--server", "me", "--json")).Succeeded().Json;
        Assert.Equal("client", whoami["kind"]!.GetValue<string>());
        Assert.Equal(registered["client_id"]!.GetValue<string>(), whoami["client_id"]!.GetValue<string>());
        (await cli.RunAsync("stream", "list", "--server", "me")).Succeeded();
    }

    [Fact]
    public async Task ServerDown_OneLineUnreachable()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "down", $"http://127.0.0.1:{LoopbackServer.FreePort()}")).Succeeded();
        var line = (await cli.RunWithInputAsync("x\n", "login", "--token-stdin")).FailedWith(ExitCodes.Unreachable);
        Assert.Contains("cannot reach http://127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NotLoggedIn_OneLineError()
    {
        using var cli = new CliSession();
        (await cli.RunAsync("server", "add", "local", server.Url)).Succeeded();
        var line = (await cli.RunAsync("stream", "list")).FailedWith(ExitCodes.Unauthorized);
        Assert.Contains("ssf login", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoServer_OneLineError()
    {
        using var cli = new CliSession();
        var line = (await cli.RunAsync("status")).FailedWith(ExitCodes.Usage);
        Assert.Contains("ssf server add", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidatedAdminToken_401InOneLine()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var path = cli.File("credentials.json");
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        stored["local"]!["token"] = "expired-or-rotated";
        await File.WriteAllTextAsync(path, stored.ToJsonString());

        var line = (await cli.RunAsync("status")).FailedWith(ExitCodes.Unauthorized);
        Assert.Contains("refused the credentials of profile 'local' (401", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedClient_CachedTokenRefusedAndRenewalRefused_OneLine()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var clientId = await cli.RegisterClientAsync("revoked-p");
        (await cli.RunAsync("stream", "list", "--server", "rx")).Succeeded();

        (await cli.RunAsync("client", "revoke", clientId)).Succeeded();

        var line = (await cli.RunAsync("stream", "list", "--server", "rx")).FailedWith(ExitCodes.Unauthorized);
        Assert.Contains("refused the client credentials", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredAccessToken_RenewedWithClientCredentials()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        await cli.RegisterClientAsync("renew-p");
        var path = cli.File("credentials.json");
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var old = stored["rx"]!["access_token"]!.GetValue<string>();
        stored["rx"]!["access_token_expires_at"] = 1;
        await File.WriteAllTextAsync(path, stored.ToJsonString());

        (await cli.RunAsync("stream", "list", "--server", "rx")).Succeeded();

        var renewed = JsonNode.Parse(await File.ReadAllTextAsync(path))!["rx"]!["access_token"]!.GetValue<string>();
        Assert.NotEqual(old, renewed);
    }

    [Fact]
    public async Task Help_HasExamples()
    {
        using var cli = new CliSession();
        var help = (await cli.RunAsync("stream", "create", "--help")).Succeeded().Out;
        Assert.Contains("--events", help, StringComparison.Ordinal);
        Assert.Contains("Examples:", help, StringComparison.Ordinal);
        Assert.Contains("ssf stream create --join", help, StringComparison.Ordinal);
        Assert.Contains("Examples:", (await cli.RunAsync()).Succeeded().Out, StringComparison.Ordinal);
    }
}
