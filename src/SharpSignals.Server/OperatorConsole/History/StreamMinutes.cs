namespace SharpSignals.Server.OperatorConsole.History;

/// <summary>
/// One stream's counts on this node for its last few minutes, by minute since the Unix epoch: plain
/// counters added to with <see cref="Interlocked"/>, in a ring of <see cref="Slots"/> that a new
/// minute takes over from the oldest. Only the first count of a minute takes a lock (to clear the
/// slot it takes over); every other count is one interlocked add.
/// </summary>
internal sealed class StreamMinutes
{
    /// <summary>Minutes kept: the one running, the one the writer is taking, and room for a late write.</summary>
    public const int Slots = 4;

    private readonly Slot[] _slots = [new(), new(), new(), new()];
    private long _lastActive;

    public StreamMinutes(long minute) => _lastActive = minute;

    /// <summary>The last minute with a count or a backlog.</summary>
    public long LastActive => Volatile.Read(ref _lastActive);

    public void Count(long minute, long delivered, long failed)
    {
        if (Take(minute) is not { } slot)
        {
            return;
        }

        if (delivered != 0)
        {
            Interlocked.Add(ref slot.Delivered, delivered);
        }

        if (failed != 0)
        {
            Interlocked.Add(ref slot.Failed, failed);
        }

        MarkActive(minute);
    }

    /// <summary>The backlog reading at the end of <paramref name="minute"/>; only the minute writer samples.</summary>
    public void SampleBacklog(long minute, long backlog)
    {
        if (Take(minute) is { } slot)
        {
            Volatile.Write(ref slot.Backlog, backlog);
            if (backlog > 0)
            {
                MarkActive(minute);
            }
        }
    }

    /// <summary>The age of the oldest pending entry at the end of <paramref name="minute"/>.</summary>
    public void SampleLag(long minute, double seconds)
    {
        if (Take(minute) is { } slot)
        {
            Volatile.Write(ref slot.Lag, seconds);
        }
    }

    /// <summary>What the ring holds of <paramref name="minute"/>, if anything.</summary>
    public bool TryRead(long minute, out MinuteCounts counts)
    {
        var slot = _slots[minute % Slots];
        if (Volatile.Read(ref slot.Minute) != minute)
        {
            counts = default;
            return false;
        }

        var backlog = Volatile.Read(ref slot.Backlog);
        var lag = Volatile.Read(ref slot.Lag);
        counts = new MinuteCounts(Interlocked.Read(ref slot.Delivered), Interlocked.Read(ref slot.Failed), backlog < 0 ? null : backlog, double.IsNaN(lag) ? null : lag);

        // Taken over meanwhile: what was read may be half the new minute's.
        return Volatile.Read(ref slot.Minute) == minute;
    }

    private void MarkActive(long minute)
    {
        var last = Volatile.Read(ref _lastActive);
        while (minute > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastActive, minute, last);
            if (seen == last)
            {
                return;
            }

            last = seen;
        }
    }

    /// <summary>The slot of <paramref name="minute"/>, cleared for it the first time; null for a minute already out of the ring.</summary>
    private Slot? Take(long minute)
    {
        var slot = _slots[minute % Slots];
        var held = Volatile.Read(ref slot.Minute);
        if (held == minute)
        {
            return slot;
        }

        if (held > minute)
        {
            return null;
        }

        lock (slot)
        {
            if (slot.Minute < minute)
            {
                slot.Delivered = 0;
                slot.Failed = 0;
                slot.Backlog = -1;
                slot.Lag = double.NaN;
                Volatile.Write(ref slot.Minute, minute);
            }

            return slot.Minute == minute ? slot : null;
        }
    }

    private sealed class Slot
    {
        public long Minute = long.MinValue;
        public long Delivered;
        public long Failed;

        /// <summary>-1 when not sampled.</summary>
        public long Backlog = -1;

        /// <summary>NaN when not sampled.</summary>
        public double Lag = double.NaN;
    }
}

/// <summary>One minute of one stream on this node.</summary>
internal readonly record struct MinuteCounts(long Delivered, long Failed, long? Backlog, double? LagSeconds);
