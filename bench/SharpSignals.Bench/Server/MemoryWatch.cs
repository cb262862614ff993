namespace SharpSignals.Bench.Server;

/// <summary>Samples a process's VmRSS every 100 ms and keeps the highest, until disposed.</summary>
internal sealed class MemoryWatch : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakRss;

    public MemoryWatch(int pid)
    {
        _pid = pid;
        _loop = Task.Run(SampleAsync);
    }

    /// <summary>The highest VmRSS sampled so far, in bytes.</summary>
    public long PeakRss => Interlocked.Read(ref _peakRss);

    /// <summary>The kernel's own high-water mark (VmHWM), which a sample can miss between two reads.</summary>
    public long HighWaterMark => ProcessProbe.Memory(_pid).Peak;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var rss = ProcessProbe.Memory(_pid).Rss;
                if (rss > Interlocked.Read(ref _peakRss))
                {
                    Interlocked.Exchange(ref _peakRss, rss);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
