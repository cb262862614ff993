using System.Net;
using System.Net.Sockets;

namespace SharpSignals.Bench.Server;

/// <summary>
/// A dead receiver that hangs: it accepts TCP connections and never reads or answers, so each push to
/// it waits for the server's push time-out.
/// </summary>
internal sealed class HangingListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly Task _accepting;

    public HangingListener()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/push";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped while waiting for the next connection.
        }

        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            var socket = await _listener.AcceptSocketAsync();
            lock (_held)
            {
                _held.Add(socket);
            }
        }
    }
}
