namespace SharpSignals.Receiver.Intake;

/// <summary>
/// The <c>jti</c> values whose handlers have succeeded, in memory (the newest
/// <c>RememberedJtis</c>) on top of the state store, and the ones being handled right now, so that
/// a SET that arrives twice at once is handled once (RFC 8935 §2: a resent SET is answered as if it
/// were new; RFC 8417 §1: deduplicate on <c>jti</c>).
/// </summary>
internal sealed class HandledJtis(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Dictionary<string, Task<bool>> _inFlight = new(StringComparer.Ordinal);

    public void Load(IEnumerable<string> jtis)
    {
        lock (_lock)
        {
            foreach (var jti in jtis)
            {
                AddLocked(jti);
            }
        }
    }

    public bool Contains(string jti)
    {
        lock (_lock)
        {
            return _handled.Contains(jti);
        }
    }

    /// <summary>
    /// Claims <paramref name="jti"/> for handling. Returns null when the caller now owns it (and must
    /// call <see cref="Finish"/>), otherwise a task telling whether it was (or is being) handled successfully.
    /// </summary>
    public Task<bool>? TryBegin(string jti, TaskCompletionSource<bool> claim)
    {
        lock (_lock)
        {
            if (_handled.Contains(jti))
            {
                return Task.FromResult(true);
            }

            if (_inFlight.TryGetValue(jti, out var running))
            {
                return running;
            }

            _inFlight[jti] = claim.Task;
            return null;
        }
    }

    public void Finish(string jti, TaskCompletionSource<bool> claim, bool handled)
    {
        lock (_lock)
        {
            _inFlight.Remove(jti);
            if (handled)
            {
                AddLocked(jti);
            }
        }

        claim.TrySetResult(handled);
    }

    private void AddLocked(string jti)
    {
        if (!_handled.Add(jti))
        {
            return;
        }

        _order.Enqueue(jti);
        while (_order.Count > capacity)
        {
            _handled.Remove(_order.Dequeue());
        }
    }
}
