using System.Diagnostics;

namespace SharpSignals.Tests.Support;

/// <summary>The end of a child process a test started: whatever state it is in, it is gone afterwards.</summary>
internal static class ChildProcessExit
{
    /// <summary>Kills the process and its children if it still runs, waits up to ten seconds for it to go, and disposes it.</summary>
    public static async ValueTask KillAndDisposeAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(deadline.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // It never started or is already gone.
        }
        finally
        {
            process.Dispose();
        }
    }
}
