using System.Net;
using System.Net.Sockets;
using System.Text;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Http;

/// <summary>
/// Issue 19: a body past its limit is refused while it is still arriving, never buffered whole. Each
/// body here is sent chunked and never finished: only a server that stops reading at the limit can
/// answer it. Raw sockets on loopback.
/// </summary>
public sealed class OversizeBodyTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;
    private TestTransmitter _source = null!;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        _source = await TestTransmitter.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task APushedSetPastMaxSetBytes_IsAnswered400InvalidRequest_BeforeTheSourceHasSentIt()
    {
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = _source.Issuer },
        });
        var headers = $"Content-Type: application/secevent+jwt\r\nAuthorization: {(string)inbound["delivery"]!["authorization_header"]!}\r\n";

        var answer = await SendUnfinishedAsync($"/ssf/push/{(string)inbound["stream_id"]!}", headers, 64 * 1024 + 8 * 1024, "invalid_request");

        // RFC 8935 §2.3: 400 with {"err": "invalid_request", ...}.
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("\"err\":\"invalid_request\"", answer, StringComparison.Ordinal);
        Assert.Contains("larger than 65536 bytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventBodyPastTheJsonLimit_IsAnswered413_BeforeThePublisherHasSentIt()
    {
        var (client, _, _) = await _server.RegisterClientAsync();
        var headers = $"Content-Type: application/json\r\nAuthorization: Bearer {client.DefaultRequestHeaders.Authorization!.Parameter}\r\n";

        var answer = await SendUnfinishedAsync("/events", headers, 256 * 1024 + 8 * 1024, "\"status\":413");

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> of body in 4 KiB chunks, a little at a time, and then nothing
    /// more, the connection held open without the last chunk; returns what the server answered.
    /// </summary>
    private async Task<string> SendUnfinishedAsync(string path, string headers, int bytes, string expected)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, new Uri(_server.Issuer).Port));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {new Uri(_server.Issuer).Authority}\r\nTransfer-Encoding: chunked\r\n{headers}\r\n"));
        var chunk = Encoding.ASCII.GetBytes($"1000\r\n{new string('a', 4096)}\r\n");
        for (var sent = 0; sent < bytes; sent += 4096)
        {
            await socket.SendAsync(chunk);
            await Task.Delay(10);
        }

        // No terminating chunk: the body never ends, so an answer means the server stopped reading.
        var received = new StringBuilder();
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!received.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return received.ToString();
    }
}
