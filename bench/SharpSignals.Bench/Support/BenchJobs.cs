using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace SharpSignals.Bench.Support;

/// <summary>Run lengths sized for the project's two-core machines.</summary>
public static class BenchJobs
{
    /// <summary>
    /// One process per benchmark, a short warm-up and ten measured iterations of about a quarter of a
    /// second: a whole class runs in a few minutes, and the spread stays within a few percent.
    /// </summary>
    public static readonly Job TwoCore = Job.Default
        .WithId("TwoCore")
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(10)
        .WithIterationTime(TimeInterval.FromMilliseconds(250));
}
