using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Storage.Postgres;

/// <summary>
/// The node's one writer. Writes queue up while a commit is in progress and then run together in one
/// transaction, each inside its own savepoint so that one failing write does not undo the others:
/// group commit, so durability costs one commit (one WAL flush) per batch rather than one per
/// event. Each write's task completes only after its commit. Every batch takes a connection from
/// the pool, so a connection lost with the database is replaced by the next batch.
/// </summary>
internal sealed class PostgresWriter : IAsyncDisposable
{
    private const string Savepoint = "write";

    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxBatchSize;
    private readonly Task _running;
    private long _commits;
    private long _writes;
    private int _disposed;

    public PostgresWriter(NpgsqlDataSource dataSource, int maxBatchSize)
    {
        _dataSource = dataSource;
        _maxBatchSize = maxBatchSize;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Queues a write; the task completes once it is committed, or fails with its exception.</summary>
    public Task<T> ExecuteAsync<T>(Func<PostgresWriteContext, Task<T>> write, CancellationToken cancellationToken)
    {
        var item = new WriteItem<T>(write, cancellationToken);
        if (!_queue.Writer.TryWrite(item))
        {
            // Writing was completed: the store is being disposed.
            throw new ObjectDisposedException(nameof(PostgresWriter), "The store is closed.");
        }

        return item.Task;
    }

    public async ValueTask DisposeAsync()
    {
        // The store is registered under each of its contracts, so it may be disposed more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The writer commits what is queued, then ends.
            _queue.Writer.TryComplete();
        }

        await _running.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteItem>(_maxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var item))
            {
                if (!item.TryCancel())
                {
                    batch.Add(item);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<WriteItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // First without savepoints: one round trip per write instead of three. If any write
            // fails, that attempt is rolled back whole and the batch runs again with a savepoint
            // around each write, so that one failing write still undoes only itself.
            if (!await TryCommitAsync(batch, isolated: false).ConfigureAwait(false))
            {
                await TryCommitAsync(batch, isolated: batch.Count > 1).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The database could not be reached, or the commit itself failed: nothing in the batch
            // is known to be durable, so every write fails (a retried append is then answered as a
            // duplicate if its first commit did land). Whatever the cause, the writer goes on.
            foreach (var item in batch)
            {
                item.Fail(ex);
            }

            return;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, batch.Count);
        StorageMetrics.Committed("postgresql", batch.Count, started);
        foreach (var item in batch)
        {
            item.Complete();
        }
    }

    /// <summary>
    /// Runs the batch in one transaction. Without isolation, returns false (having rolled back)
    /// when a write failed; with it, commits what succeeded (a write alone needs no savepoint: if it
    /// fails, rolling the transaction back is the same and saves two round trips).
    /// </summary>
    private async Task<bool> TryCommitAsync(List<WriteItem> batch, bool isolated)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var context = new PostgresWriteContext(connection, transaction);
        foreach (var item in batch)
        {
            item.Reset();
            await item.RunAsync(context, isolated).ConfigureAwait(false);
            if (item.Failed && !isolated && batch.Count > 1)
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
                return false;
            }
        }

        if (batch.Count == 1 && batch[0].Failed)
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
            return true;
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return true;
    }

    private abstract class WriteItem
    {
        public abstract bool Failed { get; }

        public abstract bool TryCancel();

        /// <summary>Forgets an earlier attempt's outcome, before the batch runs again.</summary>
        public abstract void Reset();

        public abstract Task RunAsync(PostgresWriteContext context, bool isolated);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteItem<T>(Func<PostgresWriteContext, Task<T>> write, CancellationToken cancellationToken) : WriteItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        public override bool Failed => _error is not null;

        public override void Reset()
        {
            _result = default!;
            _error = null;
        }

        public override bool TryCancel() =>
            cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public override async Task RunAsync(PostgresWriteContext context, bool isolated)
        {
            if (isolated)
            {
                await context.Transaction.SaveAsync(Savepoint).ConfigureAwait(false);
            }

            try
            {
                _result = await write(context).ConfigureAwait(false);
                if (isolated)
                {
                    await context.Transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is PostgresException or InvalidOperationException or ArgumentException or FormatException or StreamLeaseLostException)
            {
                // Undo this write only; the rest of the batch still commits. A lost connection
                // fails here too, and then the whole batch fails with it.
                _error = ex;
                if (isolated)
                {
                    await context.Transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
                    await context.Transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
                }
            }
        }

        public override void Complete()
        {
            if (_error is null)
            {
                _completion.TrySetResult(_result);
            }
            else
            {
                _completion.TrySetException(_error);
            }
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
