using SharpSignals.Cli.Shell;
using Spectre.Console;

namespace SharpSignals.Cli.Tests.Support;

/// <summary>
/// Runs the tool in process, as a user would from a shell, with its own configuration directory
/// (as <c>SSF_CONFIG_DIR</c> would give it) and captured output; no colours, wide tables.
/// </summary>
internal sealed class CliSession : IDisposable
{
    private readonly TemporaryDirectory _config = new();

    public string ConfigDirectory => _config.Path;

    public string File(string name) => _config.File(name);

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(null, CancellationToken.None, args);

    public Task<CliResult> RunWithInputAsync(string input, params string[] args) => RunAsync(input, CancellationToken.None, args);

    public async Task<CliResult> RunAsync(string? input, CancellationToken cancellationToken, params string[] args)
    {
        var output = new LockedWriter();
        var error = new LockedWriter();
        var code = await RunAsync(output, error, input, cancellationToken, args);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public Task<int> RunAsync(LockedWriter output, LockedWriter error, string? input, CancellationToken cancellationToken, params string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 300;
        var environment = new CliEnvironment
        {
            Console = console,
            Out = output,
            Error = error,
            In = new StringReader(input ?? ""),
            ConfigDirectory = _config.Path,
            RequestTimeout = TimeSpan.FromSeconds(15),
        };
        return SsfCli.RunAsync(args, environment, cancellationToken);
    }

    /// <summary>Adds the server as profile <paramref name="name"/> and logs in with the admin token.</summary>
    public async Task LoginAdminAsync(LoopbackServer server, string name = "local")
    {
        (await RunAsync("server", "add", name, server.Url)).Succeeded();
        (await RunAsync("login", "--token-file", server.AdminTokenFile, "--server", name)).Succeeded();
    }

    /// <summary>Registers a client in <paramref name="project"/> and saves it as profile <paramref name="profile"/>; returns its client_id.</summary>
    public async Task<string> RegisterClientAsync(string project, string profile = "rx", string scope = "ssf.manage ssf.read event.publish")
    {
        var iat = (await RunAsync("iat", "create", "--project", project)).Succeeded().Out.Trim();
        var registered = (await RunAsync("client", "register", "--iat", iat, "--scope", scope, "--save-as", profile, "--json")).Succeeded();
        return registered.Json["client_id"]!.GetValue<string>();
    }

    public void Dispose() => _config.Dispose();
}
