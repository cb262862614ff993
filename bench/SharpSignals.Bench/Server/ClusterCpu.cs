using System.Diagnostics;
using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The CPU used by each process of a cluster run (every node, and the PostgreSQL server with its
/// backends), by the bench, and by the machine: on two cores all of them share the same cores, so
/// each phase says how they were split.
/// </summary>
internal sealed class ClusterCpu(IReadOnlyList<(string Name, Func<TimeSpan> Time)> processes)
{
    public ClusterCpuSnapshot Snapshot()
    {
        using var self = Process.GetCurrentProcess();
        var (busy, total) = ProcessProbe.MachineJiffies();
        return new ClusterCpuSnapshot([.. processes.Select(p => p.Time())], self.TotalProcessorTime, busy, total, Stopwatch.GetTimestamp());
    }

    /// <summary>How the cores were used since <paramref name="start"/>.</summary>
    public ClusterCpuSplit Since(ClusterCpuSnapshot start)
    {
        var end = Snapshot();
        var wall = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        var machineTotal = end.MachineTotal - start.MachineTotal;
        return new ClusterCpuSplit(
            [.. processes.Select((p, i) => (p.Name, (end.Processes[i] - start.Processes[i]).TotalSeconds / wall))],
            (end.Bench - start.Bench).TotalSeconds / wall,
            machineTotal == 0 ? 0 : (double)(end.MachineBusy - start.MachineBusy) / machineTotal);
    }
}

/// <summary>CPU time of each watched process and of this one, and the machine's jiffies, at one instant.</summary>
internal sealed record ClusterCpuSnapshot(TimeSpan[] Processes, TimeSpan Bench, long MachineBusy, long MachineTotal, long Timestamp);

/// <summary>Cores used by each watched process and by the bench, and the share of all cores busy; the rest of the busy time is other work.</summary>
internal sealed record ClusterCpuSplit(IReadOnlyList<(string Name, double Cores)> Processes, double BenchCores, double MachineBusy)
{
    public double OtherCores => Math.Max(0, (MachineBusy * Environment.ProcessorCount) - Processes.Sum(p => p.Cores) - BenchCores);

    /// <summary>CPU time of the processes whose names start with <paramref name="prefix"/> per operation at <paramref name="rate"/> a second, in microseconds.</summary>
    public string MicrosecondsPer(string prefix, double rate, string operation) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Processes.Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Cores) * 1e6 / rate:N0} µs {prefix} CPU per {operation}");

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"CPU: {string.Join(", ", Processes.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Cores:F2}")))}, bench {BenchCores:F2}, other {OtherCores:F2} cores; machine {MachineBusy:P0} busy of {Environment.ProcessorCount} cores");
}
