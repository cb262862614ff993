using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// The single writer of the database (SQLite allows one at a time). Writes queue up while a commit
/// is in progress and then run together in one transaction, each inside its own savepoint so that
/// one failing write does not undo the others: group commit, so durability costs one fsync per
/// batch rather than one per event. Each write's task completes only after its commit.
/// SQLite's I/O is synchronous, so the writer runs on a thread of its own: a commit waiting for its
/// fsync holds that thread, never one of the thread pool's, which serve requests meanwhile.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly BlockingCollection<WriteItem> _queue = new(new ConcurrentQueue<WriteItem>());
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteContext _context;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _commitDelay;
    private long _commits;
    private long _writes;
    private int _disposed;

    public SqliteWriter(SqliteConnection connection, string checkpointConnectionString, int maxBatchSize, TimeSpan commitDelay)
    {
        _connection = connection;
        _context = new SqliteWriteContext(connection);
        _checkpointer = new SqliteCheckpointer(connection, checkpointConnectionString);
        _maxBatchSize = maxBatchSize;
        _commitDelay = commitDelay;
        new Thread(Run) { IsBackground = true, Name = "SQLite writer" }.Start();
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>The checkpoints of the write-ahead log, beside the writer and by it.</summary>
    public SqliteCheckpointer Checkpointer => _checkpointer;

    /// <summary>Queues a write; the task completes once it is committed, or fails with its exception.</summary>
    public Task<T> ExecuteAsync<T>(Func<SqliteWriteContext, T> write, CancellationToken cancellationToken)
    {
        var item = new WriteItem<T>(write, cancellationToken);
        try
        {
            _queue.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Adding was completed: the store is being disposed.
            throw new ObjectDisposedException(nameof(SqliteWriter), "The store is closed.");
        }

        return item.Task;
    }

    public async ValueTask DisposeAsync()
    {
        // The store is registered under each of its contracts, so it may be disposed more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }

        // The writer commits what is queued, then ends.
        _queue.CompleteAdding();
        await _stopped.Task.ConfigureAwait(false);
        _checkpointer.Dispose();
        _context.DisposeCommands();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _queue.Dispose();
    }

    private void Run()
    {
        try
        {
            var batch = new List<WriteItem>(_maxBatchSize);

            // Blocks until a write is queued; ends once adding is completed and the queue is empty.
            foreach (var first in _queue.GetConsumingEnumerable())
            {
                batch.Clear();
                var item = first;
                do
                {
                    if (!item.TryCancel())
                    {
                        batch.Add(item);
                    }
                }
                while (batch.Count < _maxBatchSize && _queue.TryTake(out item));

                // More than one write queued during the last commit: others are likely on their way.
                if (batch.Count > 1 && _commitDelay > TimeSpan.Zero)
                {
                    TakeMore(batch);
                }

                if (batch.Count > 0)
                {
                    Commit(batch);
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Adds writes that arrive within the commit delay, up to the batch limit. BlockingCollection
    /// waits in whole milliseconds, so with less than one left it only takes what is already queued.
    /// Nothing is acknowledged meanwhile: each write's task still completes after its commit.
    /// </summary>
    private void TakeMore(List<WriteItem> batch)
    {
        var start = Stopwatch.GetTimestamp();
        TimeSpan left;
        while (batch.Count < _maxBatchSize
            && (left = _commitDelay - Stopwatch.GetElapsedTime(start)) > TimeSpan.Zero
            && _queue.TryTake(out var item, left))
        {
            if (!item.TryCancel())
            {
                batch.Add(item);
            }
        }
    }

    private void Commit(List<WriteItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (var transaction = _connection.BeginTransaction(deferred: false))
            {
                _context.Transaction = transaction;
                foreach (var item in batch)
                {
                    item.Run(_context);
                }

                transaction.Commit();
            }

            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _writes, batch.Count);
            StorageMetrics.Committed("sqlite", batch.Count, started);
            foreach (var item in batch)
            {
                item.Complete();
            }
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
        {
            // The commit itself failed: nothing in the batch is durable, so every write fails.
            foreach (var item in batch)
            {
                item.Fail(ex);
            }
        }
        finally
        {
            _context.Transaction = null;
        }
    }

    private abstract class WriteItem
    {
        public abstract bool TryCancel();

        public abstract void Run(SqliteWriteContext context);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteItem<T>(Func<SqliteWriteContext, T> write, CancellationToken cancellationToken) : WriteItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        public override bool TryCancel() =>
            cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public override void Run(SqliteWriteContext context)
        {
            context.Execute("SAVEPOINT write");
            try
            {
                _result = write(context);
                context.Execute("RELEASE write");
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException or ArgumentException or FormatException or StreamLeaseLostException)
            {
                // Undo this write only; the rest of the batch still commits.
                _error = ex;
                context.Execute("ROLLBACK TO write");
                context.Execute("RELEASE write");
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
