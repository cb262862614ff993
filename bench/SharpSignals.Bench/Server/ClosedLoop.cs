using System.Diagnostics;

namespace SharpSignals.Bench.Server;

/// <summary>
/// A closed-loop load: a fixed number of callers, each sending its next request as soon as the last
/// one is answered, so that the rate measured is what the server sustains at that concurrency.
/// An operation returns null on success or what went wrong.
/// </summary>
internal static class ClosedLoop
{
    /// <summary>As <see cref="RunForAsync"/>, with the CPU the server <paramref name="serverPid"/> used over the window.</summary>
    public static async Task<(LoopResult Result, CpuSplit Cpu)> RunForWithServerCpuAsync(int concurrency, Func<Task<string?>> operation, TimeSpan warmUp, TimeSpan window, int serverPid)
    {
        CpuSnapshot? start = null;
        CpuSplit? cpu = null;
        var result = await RunForAsync(
            concurrency,
            operation,
            warmUp,
            window,
            () =>
            {
                start = ProcessProbe.Cpu(serverPid);
                return Task.CompletedTask;
            },
            () =>
            {
                cpu = ProcessProbe.Cpu(serverPid).Since(start!);
                return Task.CompletedTask;
            });
        return (result, cpu!);
    }

    /// <summary>
    /// Runs the callers through <paramref name="warmUp"/>, then calls <paramref name="begin"/>, measures
    /// for <paramref name="window"/>, calls <paramref name="end"/> and stops them.
    /// </summary>
    public static async Task<LoopResult> RunForAsync(int concurrency, Func<Task<string?>> operation, TimeSpan warmUp, TimeSpan window, Func<Task> begin, Func<Task> end)
    {
        var state = new LoopState();
        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => CallUntilStoppedAsync(state, operation))).ToList();
        await Task.Delay(warmUp);

        await begin();
        var started = Stopwatch.GetTimestamp();
        var completedAtStart = Interlocked.Read(ref state.Completed);
        var failedAtStart = Interlocked.Read(ref state.Failed);
        Volatile.Write(ref state.Measuring, true);
        await Task.Delay(window);
        Volatile.Write(ref state.Measuring, false);
        var completed = Interlocked.Read(ref state.Completed) - completedAtStart;
        var failed = Interlocked.Read(ref state.Failed) - failedAtStart;
        var elapsed = Stopwatch.GetElapsedTime(started);
        await end();

        Volatile.Write(ref state.Stopping, true);
        var latencies = (await Task.WhenAll(callers)).SelectMany(l => l).ToArray();
        return new LoopResult(completed, failed, elapsed, state.FirstError, latencies) { AllCompleted = state.Completed };
    }

    /// <summary>Runs the callers until <paramref name="total"/> operations have been started, and waits for them.</summary>
    public static async Task<LoopResult> RunCountAsync(int concurrency, long total, Func<Task<string?>> operation)
    {
        var state = new LoopState { Measuring = true, Remaining = total };
        var started = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => CallUntilStoppedAsync(state, operation))).ToList();
        var latencies = (await Task.WhenAll(callers)).SelectMany(l => l).ToArray();
        return new LoopResult(state.Completed, state.Failed, Stopwatch.GetElapsedTime(started), state.FirstError, latencies) { AllCompleted = state.Completed };
    }

    private static async Task<List<double>> CallUntilStoppedAsync(LoopState state, Func<Task<string?>> operation)
    {
        var latencies = new List<double>();
        while (!Volatile.Read(ref state.Stopping) && Interlocked.Decrement(ref state.Remaining) >= 0)
        {
            var sent = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                error = await operation();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (error is null)
            {
                Interlocked.Increment(ref state.Completed);
                if (Volatile.Read(ref state.Measuring))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }

                continue;
            }

            Interlocked.Increment(ref state.Failed);
            Interlocked.CompareExchange(ref state.FirstError, error, null);

            // A dead server fails every request at once; do not spin on it.
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        return latencies;
    }

    private sealed class LoopState
    {
        public long Completed;
        public long Failed;
        public long Remaining = long.MaxValue;
        public bool Measuring;
        public bool Stopping;
        public string? FirstError;
    }
}

/// <summary>What a closed loop achieved: answered and failed operations in the measured time, with latencies in milliseconds.</summary>
internal sealed record LoopResult(long Completed, long Failed, TimeSpan Elapsed, string? FirstError, double[] Latencies)
{
    /// <summary>Every operation answered, warm-up and wind-down included: what the server has taken in.</summary>
    public long AllCompleted { get; init; }

    public double Rate => Completed / Elapsed.TotalSeconds;

    public double Percentile(double share) => Percentile(Latencies, share);

    /// <summary>The value below which <paramref name="share"/> of <paramref name="values"/> fall; NaN for none.</summary>
    public static double Percentile(double[] values, double share)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(share * sorted.Length))];
    }
}
