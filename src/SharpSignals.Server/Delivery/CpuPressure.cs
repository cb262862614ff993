using System.Diagnostics;
using System.Globalization;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// Whether the machine is short of CPU: the share of the last moment in which some runnable task
/// waited for a core. On Linux it comes from pressure stall information (<c>/proc/pressure/cpu</c>,
/// the <c>some</c> line's <c>total</c> in microseconds); where that is missing, from this process's
/// own CPU time against the cores it may use. Sampled at most every <see cref="Interval"/>, so it
/// costs nothing on a request's path.
/// </summary>
internal class CpuPressure
{
    /// <summary>How often the reading is refreshed; between two readings the last one holds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const string PressureFile = "/proc/pressure/cpu";

    private readonly Lock _lock = new();
    private readonly bool _hasPressureFile = ReadPressure() is not null;
    private long _sampledAt;
    private TimeSpan _lastTotal;
    private double _share;

    /// <summary>Whether the share is at least half: tasks queue for a core half the time or more.</summary>
    public bool IsContended => Share >= 0.5;

    private readonly TimeProvider _time;

    public CpuPressure(TimeProvider time)
    {
        _time = time;
        _sampledAt = time.GetTimestamp();
        _lastTotal = Total();
    }

    /// <summary>The share of time (0 to 1) in which some task waited for a CPU, over the last interval or so.</summary>
    public virtual double Share
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                var elapsed = _time.GetElapsedTime(_sampledAt, now);
                if (elapsed >= Interval)
                {
                    var total = Total();
                    _share = Math.Clamp((total - _lastTotal) / (_hasPressureFile ? elapsed : elapsed * Environment.ProcessorCount), 0, 1);
                    _lastTotal = total;
                    _sampledAt = now;
                }

                return _share;
            }
        }
    }

    /// <summary>The running total the share is taken from: stalled time, or this process's CPU time.</summary>
    private TimeSpan Total()
    {
        if (_hasPressureFile && ReadPressure() is { } stalled)
        {
            return stalled;
        }

        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>The time some task has waited for a CPU since boot, or null where the kernel does not say (not Linux, or no PSI).</summary>
    private static TimeSpan? ReadPressure()
    {
        try
        {
            foreach (var line in File.ReadLines(PressureFile))
            {
                if (line.StartsWith("some ", StringComparison.Ordinal))
                {
                    return ParseTotal(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Missing or unreadable: the caller falls back to this process's CPU time.
        }

        return null;
    }

    /// <summary>Reads <c>total=N</c> (microseconds) from a line such as <c>some avg10=0.00 avg60=0.00 avg300=0.00 total=123</c>.</summary>
    internal static TimeSpan ParseTotal(string line)
    {
        var at = line.LastIndexOf("total=", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new FormatException($"No total in '{line}'.");
        }

        return TimeSpan.FromMicroseconds(long.Parse(line.AsSpan(at + "total=".Length), NumberStyles.None, CultureInfo.InvariantCulture));
    }
}
