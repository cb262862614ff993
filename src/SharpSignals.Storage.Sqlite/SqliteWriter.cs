using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// The single writer of the database (SQLite allows one at a time). Writes queue up while a commit
/// is in progress and then run together in one transaction, each inside its own savepoint so that
/// one failing write does not undo the others: group commit, so durability costs one fsync per
/// batch rather than one per event. Each write's task completes only after its commit.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteContext _context;
    private readonly int _maxBatchSize;
    private readonly Task _loop;
    private long _commits;
    private long _writes;

    public SqliteWriter(SqliteConnection connection, int maxBatchSize)
    {
        _connection = connection;
        _context = new SqliteWriteContext(connection);
        _maxBatchSize = maxBatchSize;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Queues a write; the task completes once it is committed, or fails with its exception.</summary>
    public Task<T> ExecuteAsync<T>(Func<SqliteWriteContext, T> write, CancellationToken cancellationToken)
    {
        var item = new WriteItem<T>(write, cancellationToken);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "The store is closed.");
        }

        return item.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _context.DisposeCommands();
        await _connection.DisposeAsync().ConfigureAwait(false);
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
                Commit(batch);
            }
        }
    }

    private void Commit(List<WriteItem> batch)
    {
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
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException or ArgumentException or FormatException)
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
