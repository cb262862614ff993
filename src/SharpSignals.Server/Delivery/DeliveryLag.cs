using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// How far behind each push stream's delivery runs, and so whether a project's intake must wait
/// for it. Intake and delivery share the machine's cores; left alone, a crowd of incoming requests
/// takes them and delivery falls further behind every second, with a backlog that grows without
/// bound. So a project's intake is held while one of its push streams is falling behind for want of
/// CPU, which is when all three hold:
/// <list type="bullet">
/// <item>the stream is delivering with more than a batch waiting (its last pushes got through: a
/// receiver that is down or refusing waits for its retries and holds nobody back, and a few events
/// late to a receiver that is slow to start do not either);</item>
/// <item>what it pushes is older than <see cref="IngestOptions.HoldAfterDeliveryDelaySeconds"/>,
/// and older than a moment ago (a stream catching up after an outage, its delay shrinking, holds
/// nobody back either);</item>
/// <item>the machine is short of CPU (<see cref="CpuPressure"/>): a receiver that is merely slow,
/// on a machine with cores to spare, does not hold back the project's other receivers.</item>
/// </list>
/// Each node knows the streams it pushes; in a cluster, intake on another node is not held.
/// </summary>
internal sealed class DeliveryLag(IOptions<IngestOptions> options, CpuPressure cpu, TimeProvider time)
{
    /// <summary>How long a stream's delay is watched before it counts as growing or not.</summary>
    private static readonly TimeSpan Trend = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a held request looks again at the CPU, which changes without any report.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, StreamDelay> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProjectBehind> _behind = new(StringComparer.Ordinal);
    private int _behindCount;
    private long _held;
    private long _turnedAway;

    /// <summary>Requests that waited for delivery before they were taken in.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Requests answered 503 because delivery stayed behind for the whole of <see cref="IngestOptions.MaxHoldSeconds"/>.</summary>
    public long TurnedAway => Interlocked.Read(ref _turnedAway);

    /// <summary>
    /// A push worker's report after a batch that got through with more than a batch still waiting:
    /// the creation time of the newest entry it pushed tells how far behind the stream is.
    /// </summary>
    public void Report(string streamId, string project, DateTimeOffset newestPushedCreatedAt)
    {
        var limit = options.Value.HoldAfterDeliveryDelaySeconds;
        if (limit <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var delay = now - newestPushedCreatedAt;
        lock (_lock)
        {
            if (!_streams.TryGetValue(streamId, out var stream))
            {
                _streams[streamId] = stream = new StreamDelay(project, delay, now);
            }

            var wasBehind = stream.IsFallingBehind;
            stream.Observe(delay, now, TimeSpan.FromSeconds(limit));
            if (stream.IsFallingBehind != wasBehind)
            {
                CountBehind(project, stream.IsFallingBehind ? 1 : -1);
            }
        }
    }

    /// <summary>
    /// A push worker's report that its stream is not behind by more than a batch, or that nothing got
    /// through (idle, waiting for a retry, stopped): the stream holds nobody back.
    /// </summary>
    public void Forget(string streamId)
    {
        lock (_lock)
        {
            if (_streams.Remove(streamId, out var stream) && stream.IsFallingBehind)
            {
                CountBehind(stream.Project, -1);
            }
        }
    }

    /// <summary>
    /// Waits, without holding anything, while <paramref name="project"/>'s delivery is falling behind
    /// for want of CPU; false when it still is after <see cref="IngestOptions.MaxHoldSeconds"/> (the
    /// caller answers 503 with Retry-After).
    /// </summary>
    public async ValueTask<bool> WaitForDeliveryAsync(string project, CancellationToken cancellationToken)
    {
        var behind = BehindSignal(project);
        if (behind is null || !cpu.IsContended)
        {
            return true;
        }

        Interlocked.Increment(ref _held);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.MaxHoldSeconds);
        while (behind is not null && cpu.IsContended)
        {
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                Interlocked.Increment(ref _turnedAway);
                return false;
            }

            await Task.WhenAny(behind, Task.Delay(left < Recheck ? left : Recheck, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            behind = BehindSignal(project);
        }

        return true;
    }

    /// <summary>A task that completes once <paramref name="project"/> is no longer behind, or null when it is not.</summary>
    private Task? BehindSignal(string project)
    {
        // The usual case, on every request's path: no project is behind, and no lock is taken.
        if (Volatile.Read(ref _behindCount) == 0)
        {
            return null;
        }

        lock (_lock)
        {
            return _behind.TryGetValue(project, out var lagging) ? lagging.Released.Task : null;
        }
    }

    /// <summary>Counts a stream of <paramref name="project"/> that starts or stops falling behind; the project is released when none is left.</summary>
    private void CountBehind(string project, int change)
    {
        if (!_behind.TryGetValue(project, out var lagging))
        {
            _behind[project] = lagging = new ProjectBehind();
        }

        lagging.Streams += change;
        if (lagging.Streams == 0)
        {
            _behind.Remove(project);
            lagging.Released.TrySetResult();
        }

        Volatile.Write(ref _behindCount, _behind.Count);
    }

    /// <summary>A project with streams falling behind, and the signal its held requests wait for.</summary>
    private sealed class ProjectBehind
    {
        public int Streams { get; set; }

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One stream's delay, and whether it grew over the last <see cref="Trend"/>.</summary>
    private sealed class StreamDelay(string project, TimeSpan delay, DateTimeOffset at)
    {
        private TimeSpan _baseline = delay;
        private DateTimeOffset _baselineAt = at;
        private bool _growing;

        public string Project { get; } = project;

        public bool IsFallingBehind { get; private set; }

        public void Observe(TimeSpan delay, DateTimeOffset now, TimeSpan limit)
        {
            if (now - _baselineAt >= Trend)
            {
                _growing = delay > _baseline;
                _baseline = delay;
                _baselineAt = now;
            }

            IsFallingBehind = _growing && delay >= limit;
        }
    }
}
