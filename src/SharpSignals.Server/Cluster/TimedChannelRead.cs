using System.Threading.Channels;

namespace SharpSignals.Server.Cluster;

/// <summary>
/// The wait of a loop that sleeps until its next periodic check unless something arrives first
/// (a doorbell, a notice), timed by the injected clock like every other wait of the server, so
/// that a test's clock decides when a check is due.
/// </summary>
internal static class TimedChannelRead
{
    /// <summary>The next item, or the default when <paramref name="wait"/> passes first (at once when it is not positive).</summary>
    /// <param name="reader">Where the items arrive.</param>
    /// <param name="wait">How long to wait at most.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Stops the wait; then it throws.</param>
    /// <returns>The item, or the default when none came in time.</returns>
    public static async Task<T?> ReadWithinAsync<T>(this ChannelReader<T> reader, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return default;
        }

        using var due = new CancellationTokenSource(wait, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, due.Token);
        try
        {
            return await reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait is over.
            return default;
        }
    }
}
