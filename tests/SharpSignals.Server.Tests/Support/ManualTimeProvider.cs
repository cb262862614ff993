namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// A clock that moves only when the test says so; timers (and so <c>Task.Delay(…, timeProvider)</c>)
/// fire when it passes their due time. Drives retries and time-outs without sleeping.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt <= _now).ToList();
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                _period = period;
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueAt = DateTimeOffset.MaxValue;
                    return true;
                }

                DueAt = clock._now + dueTime;
                clock._timers.Add(this);
            }

            if (dueTime == TimeSpan.Zero)
            {
                Fire();
            }

            return true;
        }

        public void Fire()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    DueAt = clock._now + _period;
                    clock._timers.Add(this);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
