using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace SharpSignals.Cli.Shell;

/// <summary>Examples shown at the end of a command's <c>--help</c>.</summary>
internal static class Examples
{
    private static readonly ConditionalWeakTable<Command, string[]> ByCommand = [];

    public static T WithExamples<T>(this T command, params string[] examples)
        where T : Command
    {
        ByCommand.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Makes the root's help option print the examples of the command it describes.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction inner)
        {
            help.Action = new ExamplesHelpAction(inner);
        }
    }

    private sealed class ExamplesHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = inner.Invoke(parseResult);
            if (Nearest(parseResult.CommandResult.Command) is { } examples)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return result;
        }

        /// <summary>A command's own examples, else its group's (<c>client list</c> shows those of <c>client</c>).</summary>
        private static string[]? Nearest(Command command)
        {
            for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
            {
                if (ByCommand.TryGetValue(c, out var examples))
                {
                    return examples;
                }
            }

            return null;
        }
    }
}
