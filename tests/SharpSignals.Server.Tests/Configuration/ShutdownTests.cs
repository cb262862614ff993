using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SharpSignals.Server.Tests.Support;
using Xunit.Abstractions;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>
/// SIGTERM to a real server process (docs/OPERATIONS.md, "Shutdown"): an open long poll is answered,
/// an SSE response ends, a WebSocket gets a 1001 close frame (one that never answers it is cut off),
/// a push in flight is handed back, and
/// the process exits 0 within <c>SharpSignals:ShutdownTimeoutSeconds</c>; after a restart, what
/// was acknowledged before the signal is delivered.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ShutdownTimeoutSeconds = 10;
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();
    private readonly TaskCompletionSource<string> _heldPush = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _delivered = [];
    private WebApplication _receiver = null!;
    private volatile bool _holdPushes = true;

    public async Task InitializeAsync()
    {
        // A receiver that holds the first push open until the pusher gives up, then takes every push.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/events", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var token = await reader.ReadToEndAsync(context.RequestAborted);
            if (_holdPushes)
            {
                _heldPush.TrySetResult(token);
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            lock (_delivered)
            {
                _delivered.Add(token);
            }

            return Results.Accepted();
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Sigterm_WithLongPollSseWebSocketAndPushOpen_EndsEachProperlyAndExits0WithinTheLimit_LosingNothing()
    {
        var port = ServerProcess.FreePort();
        string[] settings = [$"--SharpSignals:ShutdownTimeoutSeconds={ShutdownTimeoutSeconds}"];
        string pollStream, pushStream;
        await using (var server = await ServerProcess.StartAsync(_data.Path, port, StartTimeout, settings))
        {
            var token = server.ReadAdminToken();
            using var admin = server.CreateClient(token, TimeSpan.FromSeconds(60));
            var realtimeStream = await CreateStreamAsync(admin, CredentialChange, new { method = "urn:ietf:rfc:8936" });
            pollStream = await CreateStreamAsync(admin, SessionRevoked, new { method = "urn:ietf:rfc:8936" });
            pushStream = await CreateStreamAsync(admin, SessionRevoked, new { method = "urn:ietf:rfc:8935", endpoint_url = _receiver.Urls.First() + "/events" });

            // Acknowledged (202) before the signal: pending on the poll stream, in flight on the push stream.
            await SsfTestServer.PublishAsync(admin, SsfTestServer.SessionRevoked(reason: "before SIGTERM"));
            await _heldPush.Task.WaitAsync(TimeSpan.FromSeconds(15));

            // A long poll, an SSE response and a WebSocket, all open on a stream with nothing to send.
            var longPoll = admin.PostAsJsonAsync($"/ssf/poll/{realtimeStream}", new { });
            using var sse = new HttpRequestMessage(HttpMethod.Get, $"/ssf/sse/{realtimeStream}");
            using var events = await admin.SendAsync(sse, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, events.StatusCode);
            await using var eventStream = await events.Content.ReadAsStreamAsync();
            using var eventReader = new StreamReader(eventStream);
            Assert.Equal("retry: 1000", await eventReader.ReadLineAsync());
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), CancellationToken.None);
            var closed = AnswerCloseAsync(socket);

            // And one that never answers the close frame: it is cut off rather than holding the shutdown.
            using var silent = new ClientWebSocket();
            await silent.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), CancellationToken.None);

            // The long poll has had time to reach the server and wait (it waits 30 s).
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(longPoll.IsCompleted, "The long poll was answered before the signal.");

            var (exitCode, took) = await server.TerminateAsync(TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 20));
            output.WriteLine($"Exited {exitCode} {took.TotalSeconds:0.00} s after SIGTERM.");

            // The long poll: answered with what the stream had, nothing.
            using var polled = await longPoll;
            Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
            Assert.Empty((await polled.Content.ReadFromJsonAsync<JsonObject>())!["sets"]!.AsObject());

            // SSE: the response ended, cleanly (no reset), with no SET in it.
            Assert.Equal("", await eventReader.ReadLineAsync());
            Assert.Null(await eventReader.ReadLineAsync());

            // WebSocket: a close frame, 1001 going away.
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await closed);

            Assert.Equal(0, exitCode);
            Assert.True(took < TimeSpan.FromSeconds(ShutdownTimeoutSeconds), $"The server took {took.TotalSeconds:0.0} s to stop; the limit is {ShutdownTimeoutSeconds} s.");
        }

        // Restarted on the same data directory and address: what was acknowledged is delivered.
        _holdPushes = false;
        await using (var server = await ServerProcess.StartAsync(_data.Path, port, StartTimeout, settings))
        {
            using var admin = server.CreateClient(server.ReadAdminToken());
            var polled = await SsfTestServer.PollAsync(admin, pollStream, new { returnImmediately = true });
            Assert.Single(polled["sets"]!.AsObject());

            var handedBack = await _heldPush.Task;
            await Eventually.TrueAsync(
                () =>
                {
                    lock (_delivered)
                    {
                        return _delivered.Contains(handedBack);
                    }
                },
                $"the push stream {pushStream} to deliver the SET that was in flight at SIGTERM",
                TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Waits for the server's close frame and answers it, as a well-behaved client does (RFC 6455 §5.5.1).</summary>
    private static async Task<WebSocketCloseStatus?> AnswerCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        var frame = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, frame.MessageType);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return socket.CloseStatus;
    }

    private static async Task<string> CreateStreamAsync(HttpClient admin, string eventType, object delivery)
    {
        var stream = await SsfTestServer.CreateStreamAsync(admin, new { events_requested = new[] { eventType }, delivery });
        return stream["stream_id"]!.GetValue<string>();
    }
}
