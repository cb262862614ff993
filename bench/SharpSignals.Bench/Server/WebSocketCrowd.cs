using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Many WebSocket subscribers in this process, each sending one text command when it connects
/// (notiflux's <c>/subscribe &lt;topic&gt; &lt;token&gt;</c>) and then only reading. Every message is
/// <c>&lt;seq&gt; &lt;Stopwatch timestamp of the POST&gt;</c> (<see cref="Message"/>); each receipt is
/// counted, and for the first <c>timedBroadcasts</c> sequence numbers its latency is kept per
/// subscriber.
/// </summary>
internal sealed class WebSocketCrowd : IAsyncDisposable
{
    private const int ConnectConcurrency = 64;

    private readonly ClientWebSocket[] _sockets;
    private readonly Task[] _loops;
    private readonly long[] _latencies;
    private readonly int[] _perBroadcast;
    private readonly int _timedBroadcasts;
    private readonly CancellationTokenSource _stop = new();
    private long _received;
    private int _closed;
    private string? _firstClose;

    private WebSocketCrowd(int count, int timedBroadcasts)
    {
        _sockets = new ClientWebSocket[count];
        _loops = new Task[count];
        _timedBroadcasts = timedBroadcasts;
        _latencies = new long[count * timedBroadcasts];
        _perBroadcast = new int[timedBroadcasts];
    }

    public int Count => _sockets.Length;

    /// <summary>Messages received by all subscribers so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Subscribers whose connection ended (the server closed it, or it failed).</summary>
    public int Closed => Volatile.Read(ref _closed);

    public string? FirstClose => Volatile.Read(ref _firstClose);

    /// <summary>The text of broadcast <paramref name="seq"/>, stamped now.</summary>
    public static string Message(long seq) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{seq} {Stopwatch.GetTimestamp()}");

    /// <summary>Connects <paramref name="count"/> subscribers, 64 at a time, each sending its subscribe command.</summary>
    public static async Task<WebSocketCrowd> ConnectAsync(Uri uri, int count, string subscribeCommand, int timedBroadcasts)
    {
        var crowd = new WebSocketCrowd(count, timedBroadcasts);
        var command = Encoding.UTF8.GetBytes(subscribeCommand);

        // One handler for all: each WebSocket still gets a connection of its own (HTTP/1.1 upgrade).
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency },
                async (i, cancellationToken) =>
                {
                    var socket = new ClientWebSocket();
                    socket.Options.KeepAliveInterval = TimeSpan.Zero; // the server pings; the reads answer
                    crowd._sockets[i] = socket;
                    await socket.ConnectAsync(uri, invoker, cancellationToken);
                    await socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    crowd._loops[i] = crowd.ReadAsync(i, socket);
                });
        }
        catch
        {
            await crowd.DisposeAsync();
            throw;
        }

        return crowd;
    }

    /// <summary>How many subscribers have received timed broadcast <paramref name="seq"/>.</summary>
    public int ReceivedOf(int seq) => Volatile.Read(ref _perBroadcast[seq]);

    /// <summary>Waits until <paramref name="done"/> holds, checking every 5 ms; false on the timeout.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>The latencies kept for the timed broadcasts, in milliseconds, sorted; missing receipts left out.</summary>
    public double[] TimedLatencies()
    {
        var values = _latencies.Where(l => l > 0).Select(l => l * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(values);
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket?.Abort();
        }

        await Task.WhenAll(_loops.Where(l => l is not null));
        foreach (var socket in _sockets)
        {
            socket?.Dispose();
        }

        _stop.Dispose();
    }

    private async Task ReadAsync(int index, ClientWebSocket socket)
    {
        var buffer = new byte[256];
        var filled = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                var now = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Ended($"closed by the server: {socket.CloseStatus} {socket.CloseStatusDescription}");
                    return;
                }

                filled += result.Count;
                if (!result.EndOfMessage && filled < buffer.Length)
                {
                    continue;
                }

                Record(index, buffer.AsSpan(0, filled), now);
                filled = 0;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (WebSocketException ex)
        {
            Ended(ex.Message);
        }
    }

    private void Record(int index, ReadOnlySpan<byte> message, long now)
    {
        Interlocked.Increment(ref _received);
        var space = message.IndexOf((byte)' ');
        if (space < 0 || !Utf8Parser.TryParse(message[..space], out long seq, out _) || !Utf8Parser.TryParse(message[(space + 1)..], out long sent, out _))
        {
            return; // an error line, or a message of another shape
        }

        if (seq >= 0 && seq < _timedBroadcasts)
        {
            _latencies[(seq * _sockets.Length) + index] = Math.Max(1, now - sent);
            Interlocked.Increment(ref _perBroadcast[seq]);
        }
    }

    private void Ended(string reason)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        Interlocked.Increment(ref _closed);
        Interlocked.CompareExchange(ref _firstClose, reason, null);
    }
}
