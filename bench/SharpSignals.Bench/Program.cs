using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using SharpSignals.Bench.Support;

// Every benchmark class in this assembly is picked with --filter; see docs/BENCHMARKS.md for the commands.
var config = DefaultConfig.Instance
    .AddJob(BenchJobs.TwoCore.AsDefault())
    .AddColumn(StatisticColumn.Median)
    .WithOrderer(new PairedOrderer());

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();

foreach (var summary in summaries.Where(s => s.Reports.Length > 0))
{
    Console.WriteLine();
    Console.WriteLine($"{summary.Title}: rates against the raw operation measured in the same run");
    RatioReport.Write(summary, Console.Out);
}
