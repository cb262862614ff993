using System.Diagnostics;

namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// One retention sweep: the settled entries first, then the events no entry refers to any more, each
/// table walked from its start a step at a time (<see cref="RetentionStep"/>), so that the writer is
/// never held for more than one step. Each step is followed by a rest as long as it took: the sweep
/// takes at most half of the writer's time, and appends queued behind a step wait for that one only.
/// </summary>
public static class RetentionSweep
{
    /// <summary>
    /// Rows one step looks at: about 4 ms of the writer's time on the embedded store. Measured with
    /// <c>load --only retention</c> (docs/benchmarks/history.md, "Retention"): larger steps delete faster and delay appends more.
    /// </summary>
    public const int DefaultStepSize = 250;

    /// <summary>Runs a sweep to its end.</summary>
    /// <param name="store">The store.</param>
    /// <param name="cutoff">What was settled (entries) or received (events) earlier than this goes.</param>
    /// <param name="stepSize">Rows one step looks at.</param>
    /// <param name="cancellationToken">Stops the sweep between steps.</param>
    /// <returns>How many entries and events were deleted.</returns>
    public static async Task<(long Entries, long Events)> RunAsync(IDeliveryStore store, DateTimeOffset cutoff, int stepSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entries = await TableAsync(store.PurgeEntriesAsync, cutoff, stepSize, cancellationToken).ConfigureAwait(false);
        var events = await TableAsync(store.PurgeEventsAsync, cutoff, stepSize, cancellationToken).ConfigureAwait(false);
        return (entries, events);
    }

    private static async Task<long> TableAsync(
        Func<DateTimeOffset, long, int, CancellationToken, ValueTask<RetentionStep>> step, DateTimeOffset cutoff, int stepSize, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var after = 0L;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var done = await step(cutoff, after, stepSize, cancellationToken).ConfigureAwait(false);
            deleted += done.Deleted;
            if (done.IsLast)
            {
                return deleted;
            }

            after = done.Last;
            await Task.Delay(Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
        }
    }
}
