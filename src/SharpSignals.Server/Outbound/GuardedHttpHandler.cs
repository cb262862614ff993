using System.Net;
using System.Net.Sockets;

namespace SharpSignals.Server.Outbound;

/// <summary>
/// The pooled <see cref="SocketsHttpHandler"/> for every request this server makes to an address it
/// was given (pushes, and a source's discovery, keys, poll and management endpoints): each
/// connection is checked against <see cref="OutboundAddressPolicy"/> at connect time, and redirects
/// are not followed, so neither DNS nor a redirect can lead it to an internal address. No proxy is
/// used, whatever HTTP_PROXY, HTTPS_PROXY or the system say: through a proxy the connected address
/// would be the proxy's, and the target's address could not be judged.
/// </summary>
internal static class GuardedHttpHandler
{
    public static SocketsHttpHandler Create(OutboundAddressPolicy addresses) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) => await ConnectAsync(addresses, context, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(OutboundAddressPolicy addresses, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var candidates = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = candidates.Where(addresses.MayConnect).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{host} resolves only to addresses this server may not connect to.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);

            // Check the address actually connected to, not only what the name resolved to.
            if (socket.RemoteEndPoint is IPEndPoint remote && !addresses.MayConnect(remote.Address))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Refused to connect to {remote.Address}.");
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
