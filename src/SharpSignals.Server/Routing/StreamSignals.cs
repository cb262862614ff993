using System.Collections.Concurrent;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Wakes whoever waits for a stream (a long poll, a push worker, a live subscriber) when entries are
/// routed to it. A waiter takes the signal first and reads the store after, so no entry committed in
/// between is missed; a signal with no waiter costs nothing. In a cluster, <see cref="Routed"/> lets
/// the other nodes' waiters be woken too (<see cref="ClusterWakeups"/>).
/// </summary>
internal sealed class StreamSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>Raised by <see cref="Notify"/>: entries were routed to the stream on this node.</summary>
    public event Action<string>? Routed;

    /// <summary>The task that completes at the next <see cref="Notify"/> of the stream.</summary>
    public Task Next(string streamId) =>
        _waiters.GetOrAdd(streamId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Entries were routed to the stream here, or its state changed: wake its waiters on every node.</summary>
    public void Notify(string streamId)
    {
        Wake(streamId);
        Routed?.Invoke(streamId);
    }

    /// <summary>Wakes the stream's waiters on this node only (another node routed to it).</summary>
    public void Wake(string streamId)
    {
        if (_waiters.TryRemove(streamId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter on this node, so each looks at the store again (notices may have been lost).</summary>
    public void WakeAll()
    {
        foreach (var streamId in _waiters.Keys)
        {
            Wake(streamId);
        }
    }
}
