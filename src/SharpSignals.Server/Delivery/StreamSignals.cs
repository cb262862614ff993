using System.Collections.Concurrent;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// Wakes whoever waits for a stream (a long poll, a push worker) when entries are routed to it.
/// A waiter takes the signal first and reads the store after, so no entry committed in between is
/// missed; a signal with no waiter costs nothing.
/// </summary>
internal sealed class StreamSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>The task that completes at the next <see cref="Notify"/> of the stream.</summary>
    public Task Next(string streamId) =>
        _waiters.GetOrAdd(streamId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string streamId)
    {
        if (_waiters.TryRemove(streamId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
