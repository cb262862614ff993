using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// The fixed set of threads every push worker and lane runs on (<c>SharpSignals:Push:Threads</c>).
/// A push worker is a chain of short steps; on the shared thread-pool queue each step waited behind
/// whatever else was queued (every incoming request's work), so under ingest a stream delivered only a
/// few hundred SETs a second however cheap a push was (docs/benchmarks/history.md). Here every
/// continuation of a worker resumes on its push thread, in order, through that thread's
/// <see cref="SynchronizationContext"/>. Pushes are asynchronous, so a slow or hanging receiver holds a
/// pending task, not a thread, and an idle stream holds nothing but its waiting task: threads stay
/// bounded however many streams there are.
/// </summary>
internal sealed class PushThreads : IDisposable
{
    private readonly PushThread[] _threads;
    private int _next = -1;

    public PushThreads(IOptions<PushOptions> options)
    {
        var count = options.Value.Threads ?? Math.Max(2, Environment.ProcessorCount);
        _threads = new PushThread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new PushThread(i, "push " + i);
        }
    }

    public int Count => _threads.Length;

    /// <summary>The thread for a new worker: in turn, so that streams spread evenly.</summary>
    public PushThread Next() => _threads[(int)((uint)Interlocked.Increment(ref _next) % (uint)_threads.Length)];

    /// <summary>The thread <paramref name="offset"/> places after <paramref name="thread"/>: a stream's lanes go to its worker's neighbours.</summary>
    public PushThread After(PushThread thread, int offset) => _threads[(thread.Index + offset) % _threads.Length];

    public void Dispose()
    {
        foreach (var thread in _threads)
        {
            thread.Dispose();
        }
    }
}

/// <summary>One push thread: continuations posted to its context run, in order, on it.</summary>
internal sealed class PushThread : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public PushThread(int index, string name)
    {
        Index = index;
        new Thread(Pump) { IsBackground = true, Name = name }.Start();
    }

    public int Index { get; }

    /// <summary>Runs <paramref name="body"/> on this thread, every continuation of it here too.</summary>
    public Task RunAsync(Func<Task> body) => RunAsync(async () =>
    {
        await body();
        return true;
    });

    /// <inheritdoc cref="RunAsync(Func{Task})"/>
    public Task<T> RunAsync<T>(Func<Task<T>> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(static state => _ = ((Func<Task>)state!)(), (Func<Task>)(async () =>
        {
            try
            {
                done.SetResult(await body());
            }
            catch (Exception ex)
            {
                // The exception itself, so that callers tell a stop or a lost lease from a failure.
                done.SetException(ex);
            }
        }));
        return done.Task;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _queue.Add((d, state));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // Shut down: whatever still resumes runs on the pool.
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("A push thread only takes posted continuations.");

    public override SynchronizationContext CreateCopy() => this;

    public void Dispose() => _queue.CompleteAdding();

    private void Pump()
    {
        SetSynchronizationContext(this);
        foreach (var (callback, state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
