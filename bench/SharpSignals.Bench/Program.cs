using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using SharpSignals.Bench.Receiver;
using SharpSignals.Bench.Server;
using SharpSignals.Bench.Support;
using SharpSignals.Bench.Tokens;

// `receiver-push` measures the receiver library's push endpoint (docs/BENCHMARKS.md).
if (ReceiverPushCommand.Handles(args))
{
    return await ReceiverPushCommand.RunAsync(args);
}

// `fuzz` runs the server tests' hostile-input fuzzer for longer (docs/BENCHMARKS.md).
if (FuzzCommand.Handles(args))
{
    return await FuzzCommand.RunAsync(args);
}

// `load` runs the server load generator (docs/BENCHMARKS.md) instead of BenchmarkDotNet.
if (LoadCommand.Handles(args))
{
    return await LoadCommand.RunAsync(args);
}

// Every benchmark class in this assembly is picked with --filter; see docs/BENCHMARKS.md for the commands.
var config = DefaultConfig.Instance
    .AddJob(BenchJobs.TwoCore.AsDefault())
    .AddColumn(StatisticColumn.Median)
    .WithOrderer(new PairedOrderer())
    // The generated project builds the server too (the bench references it); on two busy cores that
    // passed BenchmarkDotNet's two-minute default and the run measured nothing.
    .WithBuildTimeout(TimeSpan.FromMinutes(15));

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();

foreach (var summary in summaries.Where(s => s.Reports.Length > 0))
{
    Console.WriteLine();
    Console.WriteLine($"{summary.Title}: rates against the raw operation measured in the same run");
    RatioReport.Write(summary, Console.Out);
}

EncryptionReport.Write(summaries, Console.Out);

return 0;
