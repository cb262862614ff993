using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace SharpSignals.Bench.Support;

/// <summary>Run lengths sized for the project's two-core machines.</summary>
public static class BenchJobs
{
    /// <summary>
    /// One process per benchmark, ten warm-up and ten measured iterations of a quarter of a second. The
    /// library's many methods took several seconds to reach their final tier (tiered compilation with
    /// dynamic PGO, the background compiler sharing two busy cores): with the default 100 ms call-counting
    /// delay a validation still ran at three times its settled cost after the warm-up. Promoting methods
    /// without that delay only gets them to the same final code sooner. The token class runs in about
    /// two minutes.
    /// </summary>
    public static readonly Job TwoCore = Job.Default
        .WithId("TwoCore")
        .WithLaunchCount(1)
        .WithWarmupCount(10)
        .WithIterationCount(10)
        .WithIterationTime(TimeInterval.FromMilliseconds(250))
        .WithEnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0");
}
