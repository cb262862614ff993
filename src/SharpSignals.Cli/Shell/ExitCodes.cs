namespace SharpSignals.Cli.Shell;

/// <summary>The tool's exit codes, so that scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The server answered with an error (not found, conflict, refused request, server error).</summary>
    public const int Failure = 1;

    /// <summary>The command line or its input is not valid; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached or did not answer in time.</summary>
    public const int Unreachable = 3;

    /// <summary>The server refused the credentials (401) or they are missing.</summary>
    public const int Unauthorized = 4;

    /// <summary>Stopped by Ctrl-C before it finished (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
