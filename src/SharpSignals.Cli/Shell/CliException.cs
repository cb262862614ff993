namespace SharpSignals.Cli.Shell;

/// <summary>A failure to report as one line, with the exit code that classifies it.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
