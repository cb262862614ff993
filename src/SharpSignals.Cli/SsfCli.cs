using System.CommandLine;
using System.CommandLine.Help;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;
using SharpSignals.Cli.Operations;
using SharpSignals.Cli.Receiving;
using SharpSignals.Cli.Registration;
using SharpSignals.Cli.Servers;
using SharpSignals.Cli.Streams;

namespace SharpSignals.Cli;

/// <summary>The <c>ssf</c> command tree, and running it over an environment (the process's, or a test's).</summary>
internal static class SsfCli
{
    public static RootCommand Build(CliEnvironment environment)
    {
        var app = new CliApp(environment);
        var root = new RootCommand("ssf: operate SharpSignals servers (OpenID Shared Signals Framework 1.0) over their HTTP API.");
        root.Options.Add(app.Json);
        root.Options.Add(app.Server);
        root.Subcommands.Add(ServerCommands.Create(app));
        root.Subcommands.Add(LoginCommands.Login(app));
        root.Subcommands.Add(LoginCommands.Logout(app));
        root.Subcommands.Add(LoginCommands.WhoAmI(app));
        root.Subcommands.Add(IatCommands.Create(app));
        root.Subcommands.Add(ClientCommands.Create(app));
        root.Subcommands.Add(StreamCommands.Create(app));
        root.Subcommands.Add(SubjectCommands.Create(app));
        root.Subcommands.Add(EventCommands.Create(app));
        root.Subcommands.Add(DecodeCommand.Create(app));
        root.Subcommands.Add(PollCommand.Create(app));
        root.Subcommands.Add(TailCommand.Create(app));
        root.Subcommands.Add(ReplayCommand.Create(app));
        root.Subcommands.Add(DeadLetterCommands.Create(app));
        root.Subcommands.Add(KeyCommands.Create(app));
        root.Subcommands.Add(TenantCommands.Create(app));
        root.Subcommands.Add(StatusCommand.Create(app));
        root.WithExamples(
            "ssf server add local http://127.0.0.1:5077",
            "ssf login --token-file data/admin.token",
            "ssf stream create --events session-revoked",
            "ssf event generate --type session-revoked --count 100 --rate 20",
            "ssf poll STREAM_ID --ack",
            "ssf status");
        Examples.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. A command line that does not parse is reported in one line
    /// (exit code 2) instead of the parser's error list and help text. Cancelling the token stops the
    /// running command: <c>tail</c> stops cleanly, other commands exit with 130.
    /// </summary>
    public static Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        // Without a command, the overview is more use than "Required command was not provided".
        var parsed = Build(environment).Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction && parsed.Action?.GetType().DeclaringType != typeof(Examples))
        {
            var command = string.Join(' ', CommandPath(parsed.CommandResult.Command));
            var error = parsed.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal)).First();
            environment.Error.WriteLine($"error: {CliApp.OneLine(error.Message).TrimEnd('.')} (see `{command} --help`)");
            return Task.FromResult(ExitCodes.Usage);
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,

            // The caller owns cancellation (the process maps Ctrl-C to it; tests cancel directly).
            ProcessTerminationTimeout = null,
        };

        return parsed.InvokeAsync(configuration, cancellationToken);
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c is RootCommand ? "ssf" : c.Name);
        }

        return names;
    }
}
