using Spectre.Console;

namespace SharpSignals.Cli.Shell;

/// <summary>
/// Everything a command touches outside itself: the terminal, the configuration directory, the clock
/// and the HTTP stack. The process builds one from the real console; tests build one over writers.
/// </summary>
internal sealed record CliEnvironment
{
    /// <summary>Overrides the configuration directory (profiles and credentials), for scripts and tests.</summary>
    public const string ConfigDirectoryVariable = "SSF_CONFIG_DIR";

    /// <summary>Tables, colours and progress bars.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Plain output: JSON, tokens and messages that must not be wrapped.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors and warnings, one line each.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Where secrets are read from when a command is told to read standard input.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether prompts may be shown.</summary>
    public bool IsInteractive { get; init; }

    public required string ConfigDirectory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The HTTP handler to send requests through; a new socket handler when null.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>How long one request may take; long polls ask the server for less.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static CliEnvironment FromProcess() => new()
    {
        Console = ProcessConsole(),
        Out = System.Console.Out,
        Error = System.Console.Error,
        In = System.Console.In,
        IsInteractive = !System.Console.IsInputRedirected && AnsiConsole.Profile.Capabilities.Interactive,
        ConfigDirectory = DefaultConfigDirectory(),
    };

    /// <summary>
    /// The terminal, with colours when it has them; when the output is piped or redirected, plain
    /// text in wide tables, so that files and scripts get no escape codes and no wrapped rows.
    /// </summary>
    private static IAnsiConsole ProcessConsole()
    {
        if (!System.Console.IsOutputRedirected)
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(System.Console.Out),
        });
        console.Profile.Width = 200;
        return console;
    }

    /// <summary><c>$SSF_CONFIG_DIR</c>, else <c>ssf</c> under the user's configuration directory (XDG on Linux, AppData on Windows).</summary>
    public static string DefaultConfigDirectory() =>
        Environment.GetEnvironmentVariable(ConfigDirectoryVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ssf");
}
