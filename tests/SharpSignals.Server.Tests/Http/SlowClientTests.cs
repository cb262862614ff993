using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using SharpSignals.Server.Tests.Realtime;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Http;

/// <summary>
/// Issue 19: the <c>SharpSignals:Requests</c> limits reach Kestrel (short ones here, so that each is
/// seen well before Kestrel's own defaults would act), over raw sockets on loopback; and they cut
/// nothing that waits on the server's side: long polls, SSE and WebSockets.
/// </summary>
public sealed class SlowClientTests : IAsyncLifetime
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private SsfTestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening(new Dictionary<string, string?>
        {
            ["SharpSignals:Requests:MinBodyBytesPerSecond"] = "1000",
            ["SharpSignals:Requests:MinBodyRateGraceSeconds"] = "2",
            ["SharpSignals:Requests:HeadersTimeoutSeconds"] = "1",
            ["SharpSignals:Requests:KeepAliveTimeoutSeconds"] = "1",
            ["SharpSignals:Streams:PollWaitSeconds"] = "30",
        });
        (_client, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ABodyTricklingOneByteASecond_IsAnswered408AndClosed_WithinTheGracePeriod()
    {
        using var socket = await ConnectAsync();
        var body = Encoding.UTF8.GetBytes(SsfTestServer.SessionRevoked());
        await SendAsync(socket, Head("POST", "/events", $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n{Authorization(_client)}"));
        var clock = Stopwatch.StartNew();

        // One byte a second, far below 1000 bytes/s, until the server closes (Kestrel's default grace is 5 s).
        var answer = ReadToEndAsync(socket);
        for (var i = 0; i < body.Length && !answer.IsCompleted; i++)
        {
            await SendAsync(socket, body.AsMemory(i, 1));
            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        var text = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"closed after {clock.Elapsed}");
        Assert.StartsWith("HTTP/1.1 408", text, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HeadersTricklingIn_AreClosedAfterTheHeadersTimeout()
    {
        using var socket = await ConnectAsync();
        var head = Encoding.ASCII.GetBytes(Head("GET", "/healthz", ""));
        var clock = Stopwatch.StartNew();

        var answer = ReadToEndAsync(socket);
        for (var i = 0; i < head.Length - 2 && !answer.IsCompleted; i++)
        {
            await SendAsync(socket, head.AsMemory(i, 1));
            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromMilliseconds(500)));
        }

        await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.Elapsed} (Kestrel's default is 30 s)");
    }

    [Fact]
    public async Task AnIdleKeepAliveConnection_IsClosedAfterTheKeepAliveTimeout()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, Head("GET", "/healthz", ""));
        var clock = Stopwatch.StartNew();

        var text = await ReadToEndAsync(socket).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.Elapsed} (Kestrel's default is 130 s)");
    }

    [Fact]
    public async Task ABodyLargerThanMaxBodyBytes_Is413ProblemDetails_NotA500()
    {
        // /oauth/token reads a form, whose own limits are far above 1 MiB: Kestrel's limit answers.
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes("grant_type=client_credentials&x=" + new string('a', 1024 * 1024 + 1)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await new HttpClient { BaseAddress = new Uri(_server.Issuer) }.PostAsync(new Uri("/oauth/token", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LongPollSseAndWebSocket_OutliveEveryTimeout_AndStillDeliver()
    {
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(_client, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!;
        var sseStreamId = (string)(await SsfTestServer.CreateStreamAsync(_client, new { events_requested = new[] { SessionRevoked } }))["stream_id"]!;

        var poll = _client.PostAsync(new Uri($"/ssf/poll/{streamId}", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        using var sseRequest = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{sseStreamId}");
        sseRequest.Headers.Authorization = _client.DefaultRequestHeaders.Authorization;
        using var sse = await _client.SendAsync(sseRequest, HttpCompletionOption.ResponseHeadersRead);
        using var sseReader = new StreamReader(await sse.Content.ReadAsStreamAsync());
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);

        // Three times every timeout (1 s), with nothing sent by the clients.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(poll.IsCompleted);

        await SsfTestServer.PublishAsync(_client, SsfTestServer.SessionRevoked());

        using var polled = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.Contains("\"sets\":{\"", await polled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("event: set", await ReadLineAsync(sseReader, "event: set"));
        await ws.SendTextAsync("""{"type":"nonsense"}""");
        Assert.Equal("error", (string?)(await ws.ReceiveAsync("error"))["type"]);
    }

    private static async Task<string> ReadLineAsync(StreamReader reader, string wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == wanted)
            {
                return line;
            }
        }

        return "(end of stream)";
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, new Uri(_server.Issuer).Port));
        return socket;
    }

    private string Head(string method, string path, string headers) =>
        $"{method} {path} HTTP/1.1\r\nHost: {new Uri(_server.Issuer).Authority}\r\n{headers}\r\n";

    private static string Authorization(HttpClient client) => $"Authorization: Bearer {client.DefaultRequestHeaders.Authorization!.Parameter}\r\n";

    private static Task SendAsync(Socket socket, string text) => SendAsync(socket, Encoding.ASCII.GetBytes(text));

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await socket.SendAsync(bytes);
        }
        catch (SocketException)
        {
            // The server closed first, which is what these tests wait for.
        }
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    internal static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset after the answer still ends it.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
