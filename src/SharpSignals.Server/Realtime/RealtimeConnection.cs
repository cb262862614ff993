using System.Net.WebSockets;
using System.Threading.Channels;
using SharpSignals.Server.Telemetry;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// The sending half of one WebSocket: frames wait in a bounded buffer and one writer sends them in
/// order. A client that lets the buffer fill is disconnected with a close reason instead of making
/// the server hold ever more for it; it reconnects and resumes (streams from their last
/// acknowledged position, topics with <c>since</c>).
/// </summary>
internal sealed partial class RealtimeConnection
{
    /// <summary>RFC 6455 §7.4.1 1008: the peer broke the server's policy (fell behind, token expired).</summary>
    public const WebSocketCloseStatus PolicyViolation = WebSocketCloseStatus.PolicyViolation;

    /// <summary>RFC 6455 §7.4.1 1001: the server is going down.</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>How long a close handshake may take before the socket is aborted.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The same when the server is going down: its shutdown has more to finish within its limit.</summary>
    private static readonly TimeSpan GoingAwayCloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly Channel<ReadOnlyMemory<byte>> _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServerMetrics _metrics;
    private (WebSocketCloseStatus Status, string Reason)? _close;
    private int _closing;

    public RealtimeConnection(WebSocket socket, int bufferFrames, ServerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(bufferFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether the server decided to close this connection.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Queues a UTF-8 text frame; false when the buffer is full (the connection is then closed) or closing.</summary>
    public bool TrySend(ReadOnlyMemory<byte> frame)
    {
        if (IsClosing)
        {
            return false;
        }

        if (_outbox.Writer.TryWrite(frame))
        {
            _metrics.RealtimeMessage(RealtimeTransports.WebSocket, sent: true);
            return true;
        }

        _metrics.RealtimeMessage(RealtimeTransports.WebSocket, sent: false);
        Close(PolicyViolation, "send buffer full: the client fell behind; reconnect and resume");
        return false;
    }

    /// <summary>Closes the connection once the frame being sent is out; frames still queued are dropped.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _close = (status, reason);
        LogClosing(_logger, Id, (int)status, reason);
        _outbox.Writer.TryComplete();

        // A writer stuck on a client that reads nothing never gets to the close frame.
        _ = AbortLaterAsync(status == GoingAway ? GoingAwayCloseTimeout : CloseTimeout);
    }

    /// <summary>Sends queued frames until the connection closes; then the close handshake, if the server asked for it.</summary>
    public async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(cancellationToken))
            {
                if (IsClosing)
                {
                    break;
                }

                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }

            if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(CloseTimeout);
                await _socket.CloseOutputAsync(close.Status, close.Reason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the request ended: nothing more can be sent.
            _outbox.Writer.TryComplete();
        }
    }

    /// <summary>Stops accepting frames when the reading side is done.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    /// <summary>A peer that never answers the close frame is cut off, so its read loop ends.</summary>
    private async Task AbortLaterAsync(TimeSpan timeout)
    {
        await Task.Delay(timeout, _time);
        try
        {
            if (_socket.State != WebSocketState.Closed)
            {
                _socket.Abort();
            }
        }
        catch (ObjectDisposedException)
        {
            // The request already ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} closed by the server: {Status} {Reason}")]
    private static partial void LogClosing(ILogger logger, string connectionId, int status, string reason);
}
