using System.Text;
using System.Threading.Channels;

namespace SharpSignals.Receiver.State;

/// <summary>
/// A file of lines appended by one writer. Lines written concurrently share one write and one flush
/// (group commit), so forcing them to disk does not cost one fsync per line.
/// </summary>
internal sealed class AppendLog : IAsyncDisposable
{
    private readonly string _path;
    private readonly bool _syncWrites;
    private readonly Channel<(string Line, TaskCompletionSource Done)> _pending =
        Channel.CreateUnbounded<(string, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _writer;

    public AppendLog(string path, bool syncWrites)
    {
        _path = path;
        _syncWrites = syncWrites;
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task AppendAsync(string line, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite((line, done)), this);

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads every complete line; a line cut short by a crash mid-write is skipped.</summary>
    public static List<string> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n');

        // The last element is what follows the final newline: empty, or a torn write.
        return lines.Take(lines.Length - 1).Where(l => l.Length > 0).ToList();
    }

    /// <summary>Replaces the file with <paramref name="lines"/>: written beside it, forced to disk, then renamed over it.</summary>
    public static void Rewrite(string path, IEnumerable<string> lines)
    {
        var temporary = path + ".tmp";
        using (var stream = FileStores.CreatePrivate(temporary, FileMode.Create))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            foreach (var line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
            }

            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        await using var stream = FileStores.CreatePrivate(_path, FileMode.Append);
        var batch = new List<(string Line, TaskCompletionSource Done)>();
        var buffer = new StringBuilder();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            buffer.Clear();
            while (_pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
                buffer.Append(item.Line).Append('\n');
            }

            try
            {
                var bytes = Encoding.UTF8.GetBytes(buffer.ToString());
                await stream.WriteAsync(bytes).ConfigureAwait(false);
                stream.Flush(flushToDisk: _syncWrites);
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
            }
            catch (IOException ex)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }
}
