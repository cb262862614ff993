using System.Runtime.InteropServices;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli;

/// <summary>The process entry point (a named class, so the tests can see both this tool and the server's <c>Program</c>).</summary>
internal static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        // Ctrl-C and SIGTERM cancel the running command instead of killing the process, so that
        // `ssf tail` acknowledges what it printed and says where it stopped.
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        return await SsfCli.RunAsync(args, CliEnvironment.FromProcess(), stop.Token);
    }
}
