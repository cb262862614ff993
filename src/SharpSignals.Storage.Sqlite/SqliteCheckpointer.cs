using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace SharpSignals.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database file beside the writer rather than in its way.
/// SQLite checkpoints from the commit that takes the log past 1,000 pages: that commit copies the
/// log and fsyncs the database file, and every write queued behind it waits (docs/benchmarks/history.md,
/// "After: checkpoints beside the writer"). Here a thread of its own, on a connection of its own, runs a
/// passive checkpoint, which never blocks the writer or a reader, each time the log has grown by
/// <see cref="BackgroundPages"/>. The log starts over only after a checkpoint that copied all of it
/// and before the next write begins, which a checkpoint beside a busy writer seldom manages; so the
/// writer still checkpoints at <see cref="WriterPages"/>, as SQLite would, and finds all but the
/// last pages copied and synced already. SQLite reports the log's size after each commit to its WAL
/// hook (<c>sqlite3_wal_hook</c>), which neither Microsoft.Data.Sqlite nor SQLitePCLRaw exposes, so
/// it is called here directly.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Pages added to the log between two checkpoints of the background thread.</summary>
    public const int BackgroundPages = 250;

    /// <summary>The log's size at which the writer checkpoints itself: SQLite's own default.</summary>
    public const int WriterPages = 1000;

    private const int SqliteOk = 0;

    private readonly SqliteConnection _connection;
    private readonly WalHook _hook;
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _copiedPages;
    private long _backgroundCheckpoints;
    private long _writerCheckpoints;

    /// <summary>Hooks the writer's connection and starts the checkpoint thread on a connection of its own.</summary>
    /// <param name="writerConnection">The writer's open connection.</param>
    /// <param name="connectionString">A read-write connection string for the same database.</param>
    public SqliteCheckpointer(SqliteConnection writerConnection, string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // The delegate lives in a field as long as the hook: SQLite holds only its native pointer.
        _hook = OnCommit;
        _ = sqlite3_wal_hook(writerConnection.Handle!.DangerousGetHandle(), Marshal.GetFunctionPointerForDelegate(_hook), IntPtr.Zero);
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint" };
        _thread.Start();
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int WalHook(IntPtr argument, IntPtr database, IntPtr schema, int pages);

    /// <summary>Checkpoints the background thread has run.</summary>
    public long BackgroundCheckpoints => Interlocked.Read(ref _backgroundCheckpoints);

    /// <summary>Checkpoints the writer has run itself, at <see cref="WriterPages"/>.</summary>
    public long WriterCheckpoints => Interlocked.Read(ref _writerCheckpoints);

    /// <summary>
    /// Stops the thread. Call it after the writer's last commit; the hook goes when the writer's
    /// connection, which is never pooled, is closed.
    /// </summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread.Join();
        _connection.Dispose();
        _wake.Dispose();
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr sqlite3_wal_hook(IntPtr database, IntPtr callback, IntPtr argument);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_wal_checkpoint(IntPtr database, IntPtr schema);

    /// <summary>Runs on the writer's thread after each commit, with the log's size in pages; must not throw.</summary>
    private int OnCommit(IntPtr argument, IntPtr database, IntPtr schema, int pages)
    {
        if (pages >= WriterPages)
        {
            // As SQLite's own hook: a passive checkpoint; a busy result only means a reader still
            // needs part of the log, and the next commit tries again.
            _ = sqlite3_wal_checkpoint(database, schema);
            Interlocked.Increment(ref _writerCheckpoints);
            Volatile.Write(ref _copiedPages, 0);
            return SqliteOk;
        }

        // A log shorter than what was copied has started over.
        var copied = Volatile.Read(ref _copiedPages);
        if (pages < copied)
        {
            copied = 0;
            Volatile.Write(ref _copiedPages, 0);
        }

        if (pages - copied >= BackgroundPages)
        {
            _wake.Set();
        }

        return SqliteOk;
    }

    private void Run()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (true)
        {
            _wake.WaitOne();
            if (_stopping)
            {
                return;
            }

            try
            {
                // One row: busy (0 or 1), pages in the log, pages copied from it so far.
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    Volatile.Write(ref _copiedPages, reader.GetInt32(2));
                }

                Interlocked.Increment(ref _backgroundCheckpoints);
            }
            catch (SqliteException)
            {
                // Nothing is lost: the log is still there, and the writer checkpoints it at WriterPages.
            }
        }
    }
}
