using SharpSignals.Cli.Cli;

namespace SharpSignals.Cli;

/// <summary>The process entry point (a named class, so the tests can see both this tool and the server's <c>Program</c>).</summary>
internal static class EntryPoint
{
    // Ctrl-C cancels the running command's token (System.CommandLine's process termination handling),
    // so `ssf tail` acknowledges what it printed and exits cleanly.
    public static Task<int> Main(string[] args) =>
        SsfCli.RunAsync(args, CliEnvironment.FromProcess(), handleTermination: true, CancellationToken.None);
}
