using System.Diagnostics;

namespace SharpSignals.Bench.Server;

/// <summary>
/// An open-loop, paced load: operations start on a fixed schedule of <c>rate</c> a second whether or
/// not earlier ones were answered, so a slow answer does not slow the arrivals. Each latency runs
/// from the operation's scheduled start, so the generator's own lateness on busy cores counts
/// against the figure rather than hiding queueing; the operation receives its sequence number.
/// Scheduling ends after <c>duration</c>, or earlier when <c>stop</c> is cancelled.
/// The schedule is kept by a thread of its own that sleeps about a millisecond between bursts:
/// .NET's timers (<c>Task.Delay</c>, <c>PeriodicTimer</c>) count time with the kernel's coarse clock,
/// which on this machine moves in 4 ms steps, so a loop paced by them started its operations 4 to 9
/// ms late, in bursts, and added that to every latency it reported, even against an idle server.
/// </summary>
internal static class OpenLoop
{
    public static async Task<LoopResult> RunAsync(double rate, TimeSpan duration, Func<long, Task<string?>> operation, CancellationToken stop = default)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var state = new OpenState();
        var scheduled = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new Thread(() =>
        {
            var started = Stopwatch.GetTimestamp();
            long next = 0;
            while (next < total && !stop.IsCancellationRequested)
            {
                var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + 1);
                for (; next < due; next++)
                {
                    Interlocked.Increment(ref state.Outstanding);
                    _ = RunOneAsync(next, started + (long)(next / rate * Stopwatch.Frequency), operation, latencies, state);
                }

                // A sleep of the kernel's own (about 1.1 ms here): a burst of about rate/1000 operations each time.
                Thread.Sleep(1);
            }

            scheduled.SetResult(Stopwatch.GetElapsedTime(started));
        })
        { IsBackground = true, Name = "open-loop schedule" };
        scheduler.Start();
        var elapsed = await scheduled.Task;
        if (Interlocked.Decrement(ref state.Outstanding) > 0)
        {
            await state.Done.Task;
        }

        var answered = latencies.Where(l => l > 0).ToArray();
        return new LoopResult(state.Completed, state.Failed, elapsed, state.FirstError, answered) { AllCompleted = state.Completed };
    }

    private static async Task RunOneAsync(long index, long due, Func<long, Task<string?>> operation, double[] latencies, OpenState state)
    {
        try
        {
            var error = await operation(index);
            if (error is null)
            {
                latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                Interlocked.Increment(ref state.Completed);
            }
            else
            {
                Fail(state, error);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail(state, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            if (Interlocked.Decrement(ref state.Outstanding) == 0)
            {
                state.Done.TrySetResult();
            }
        }
    }

    private static void Fail(OpenState state, string error)
    {
        Interlocked.Increment(ref state.Failed);
        Interlocked.CompareExchange(ref state.FirstError, error, null);
    }

    private sealed class OpenState
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Starts at one for the scheduler itself, so that Done cannot fire before the last operation is started.
        public long Outstanding = 1;
        public long Completed;
        public long Failed;
        public string? FirstError;
    }
}
