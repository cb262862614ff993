using System.Diagnostics;
using System.Globalization;

namespace SharpSignals.Bench.Server;

/// <summary>
/// What Linux says about a process and the machine, read from <c>/proc</c>: CPU time (through
/// <see cref="Process.TotalProcessorTime"/>, which reads <c>/proc/&lt;pid&gt;/stat</c>), VmRSS and
/// VmHWM, and the machine's busy and idle time from <c>/proc/stat</c>.
/// </summary>
internal static class ProcessProbe
{
    /// <summary>The resident set and its high-water mark, in bytes; zeros when the process is gone.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        try
        {
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line);
                }
            }

            return (rss * 1024, peak * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    public static CpuSnapshot Cpu(int serverPid)
    {
        using var server = Process.GetProcessById(serverPid);
        using var self = Process.GetCurrentProcess();
        var (busy, total) = MachineJiffies();
        return new CpuSnapshot(server.TotalProcessorTime, self.TotalProcessorTime, busy, total, Stopwatch.GetTimestamp());
    }

    /// <summary>The first line of <c>/proc/stat</c>: all cores' time, and the part not idle or waiting for I/O.</summary>
    internal static (long Busy, long Total) MachineJiffies()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
        var values = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Sum();
        return (total - values[3] - values[4], total);
    }

    /// <summary>
    /// CPU time of a process and of all its children, living and ended: what a server made of several
    /// processes (PostgreSQL's postmaster and a backend per connection) used. An ended child's time is
    /// in its parent's <c>cutime</c>/<c>cstime</c> once the parent has waited for it.
    /// </summary>
    public static TimeSpan TreeCpu(int parentPid)
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            if (pid == parentPid)
            {
                ticks += stat.Own + stat.WaitedChildren;
            }
            else if (stat.ParentPid == parentPid)
            {
                ticks += stat.Own;
            }
        }

        return TimeSpan.FromSeconds((double)ticks / ClockTicksPerSecond);
    }

    /// <summary>The parent of a process, from <c>/proc/&lt;pid&gt;/stat</c>; null when it is gone.</summary>
    public static int? ParentOf(int pid) => ReadStat(pid)?.ParentPid;

    /// <summary>USER_HZ, the unit of the times in <c>/proc/&lt;pid&gt;/stat</c>: 100 on Linux's common architectures.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// The parent and CPU ticks of a process (proc(5): the fields after the command name in
    /// parentheses, which may itself hold spaces and parentheses; null when the process is gone.
    /// </summary>
    private static (int ParentPid, long Own, long WaitedChildren)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // After "pid (comm) ": state, ppid, …, utime (14th field of the line), stime, cutime, cstime.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>CPU time of the server and of this process, and the machine's jiffies, at one instant.</summary>
internal sealed record CpuSnapshot(TimeSpan Server, TimeSpan Bench, long MachineBusy, long MachineTotal, long Timestamp)
{
    /// <summary>How the cores were used between <paramref name="start"/> and this snapshot.</summary>
    public CpuSplit Since(CpuSnapshot start)
    {
        var wall = Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds;
        var machineTotal = MachineTotal - start.MachineTotal;
        return new CpuSplit(
            (Server - start.Server).TotalSeconds / wall,
            (Bench - start.Bench).TotalSeconds / wall,
            machineTotal == 0 ? 0 : (double)(MachineBusy - start.MachineBusy) / machineTotal);
    }
}

/// <summary>
/// Cores used by the server and by the bench (client and receiver), and the share of all cores busy;
/// what is busy beyond those two is other processes (and the kernel's own threads), which disturb the run.
/// </summary>
internal sealed record CpuSplit(double ServerCores, double BenchCores, double MachineBusy)
{
    public double OtherCores => Math.Max(0, (MachineBusy * Environment.ProcessorCount) - ServerCores - BenchCores);

    /// <summary>Server CPU time per operation at <paramref name="rate"/> operations a second, in microseconds: what a change to the server moves, whatever else shares the cores.</summary>
    public string ServerMicrosecondsPer(double rate, string operation) =>
        string.Create(CultureInfo.InvariantCulture, $"{ServerCores * 1e6 / rate:N0} µs server CPU per {operation}");

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"CPU: server {ServerCores:F2} cores, bench {BenchCores:F2}, other {OtherCores:F2}; machine {MachineBusy:P0} busy of {Environment.ProcessorCount} cores");
}
