using System.Collections.Concurrent;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// Runs an async loop on a thread of its own, with every continuation of it resuming there rather
/// than through the shared thread-pool queue. A push worker is a chain of short steps, one request
/// at a time; on the shared queue each step waits behind whatever else is queued (every incoming
/// request's work), so under ingest a stream delivered a few hundred SETs a second however cheap a
/// push is. On its own thread, with synchronous sends, a step waits only for the receiver.
/// </summary>
internal static class DedicatedThread
{
    public static Task Run(string name, Func<Task> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new SingleThreadContext();
            SynchronizationContext.SetSynchronizationContext(context);
            Task task;
            try
            {
                task = body();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
                return;
            }

            task.ContinueWith(_ => context.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            context.RunUntilComplete();
            if (task.IsFaulted)
            {
                done.SetException(task.Exception!.InnerExceptions);
            }
            else if (task.IsCanceled)
            {
                done.SetCanceled();
            }
            else
            {
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Continuations posted to it run, in order, on the thread that pumps it.</summary>
    private sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

        public override void Post(SendOrPostCallback d, object? state)
        {
            try
            {
                _queue.Add((d, state));
            }
            catch (InvalidOperationException)
            {
                // The loop has ended; whatever still resumes runs on the pool.
                ThreadPool.QueueUserWorkItem(_ => d(state));
            }
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("A push worker's thread only takes posted continuations.");

        public void Complete() => _queue.CompleteAdding();

        public void RunUntilComplete()
        {
            foreach (var (callback, state) in _queue.GetConsumingEnumerable())
            {
                callback(state);
            }
        }

        public void Dispose() => _queue.Dispose();
    }
}
