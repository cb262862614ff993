using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Reports;

namespace SharpSignals.Bench.Support;

/// <summary>
/// Prints, for every benchmark marked <see cref="RatioTargetAttribute"/>, its rate beside the rate of
/// the baseline in the same category and parameters. Rates come from median times, which a busy shared
/// machine disturbs less than means; rate ratio = baseline time / benchmark time, the inverse of
/// BenchmarkDotNet's Ratio column, which divides times.
/// </summary>
public static class RatioReport
{
    /// <summary>Writes one line per marked benchmark and parameter set.</summary>
    /// <param name="summary">The finished run.</param>
    /// <param name="output">Where to write.</param>
    public static void Write(Summary summary, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var report in summary.Reports)
        {
            var target = report.BenchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<RatioTargetAttribute>();
            if (target is null)
            {
                continue;
            }

            var baseline = summary.Reports.FirstOrDefault(r =>
                r.BenchmarkCase.Descriptor.Baseline
                && r.BenchmarkCase.Descriptor.Type == report.BenchmarkCase.Descriptor.Type
                && r.BenchmarkCase.Descriptor.Categories.SequenceEqual(report.BenchmarkCase.Descriptor.Categories)
                && r.BenchmarkCase.Parameters.DisplayInfo == report.BenchmarkCase.Parameters.DisplayInfo);
            var name = $"{ParameterValues(report)} {string.Join("/", report.BenchmarkCase.Descriptor.Categories)}".Trim();
            if (baseline?.ResultStatistics is not { } raw || report.ResultStatistics is not { } measured)
            {
                output.WriteLine($"{name}: no result (the benchmark or its baseline did not run)");
                continue;
            }

            var rawRate = 1e9 / raw.Median;
            var rate = 1e9 / measured.Median;
            var ratio = rate / rawRate;
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            var verdict = ratio >= target.Target ? "met" : "MISSED";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: raw {rawRate:N0}/s, {target.Label} {rate:N0}/s, ratio {ratio:F2} (target {target.Target:F2}, {verdict}), allocated {bytes:N0} B/{target.Unit} (raw {baseline.GcStats.GetBytesAllocatedPerOperation(baseline.BenchmarkCase):N0} B)"));
        }
    }

    private static string ParameterValues(BenchmarkReport report) =>
        string.Join(" ", report.BenchmarkCase.Parameters.Items.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
}
