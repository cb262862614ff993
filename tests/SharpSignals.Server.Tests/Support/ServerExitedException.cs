namespace SharpSignals.Server.Tests.Support;

/// <summary>The server process ended before it was healthy: its exit code and everything it printed.</summary>
internal sealed class ServerExitedException : InvalidOperationException
{
    public ServerExitedException(int exitCode, IReadOnlyList<string> output)
        : base($"The server exited with code {exitCode} before it was healthy. Output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}")
    {
        ExitCode = exitCode;
        Output = output;
    }

    public int ExitCode { get; }

    /// <summary>The lines of standard output and standard error, in the order they were read.</summary>
    public IReadOnlyList<string> Output { get; }
}
