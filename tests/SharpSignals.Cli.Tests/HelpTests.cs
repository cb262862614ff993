using System.CommandLine;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Tests.Support;
using Spectre.Console;

namespace SharpSignals.Cli.Tests;

public sealed class HelpTests
{
    [Fact]
    public async Task EveryCommand_HelpWithExamples()
    {
        using var cli = new CliSession();
        var root = SsfCli.Build(new CliEnvironment { Console = AnsiConsole.Create(new AnsiConsoleSettings()), Out = TextWriter.Null, Error = TextWriter.Null, ConfigDirectory = cli.ConfigDirectory });
        var paths = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }

        Walk(root, []);
        Assert.True(paths.Count > 40, $"only {paths.Count} commands");
        foreach (var path in paths)
        {
            var help = (await cli.RunAsync([.. path, "--help"])).Succeeded().Out;
            Assert.Contains("Usage:", help, StringComparison.Ordinal);
            Assert.True(help.Contains("Examples:\n  ssf ", StringComparison.Ordinal), $"no examples for `ssf {string.Join(' ', path)}`");
        }
    }
}
