using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

namespace SharpSignals.Bench.Support;

/// <summary>
/// Runs each baseline right before the benchmarks compared with it (same category and parameters), so
/// that a ratio is taken from two measurements close in time: on a shared machine the speed drifts over
/// a run, and a ratio of figures taken a minute apart measures the drift as much as the code.
/// </summary>
public sealed class PairedOrderer : DefaultOrderer
{
    /// <inheritdoc/>
    public override IEnumerable<BenchmarkCase> GetExecutionOrder(
        ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        base.GetExecutionOrder(benchmarkCases, order)
            .Select((benchmark, index) => (benchmark, index))
            .GroupBy(c => (c.benchmark.Descriptor.Type, c.benchmark.Parameters.DisplayInfo, Categories: string.Join("/", c.benchmark.Descriptor.Categories)))
            .OrderBy(g => g.Min(c => c.index))
            .SelectMany(g => g.OrderByDescending(c => c.benchmark.Descriptor.Baseline).ThenBy(c => c.index))
            .Select(c => c.benchmark);
}
