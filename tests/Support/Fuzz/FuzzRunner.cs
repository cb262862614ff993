using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;

namespace SharpSignals.Tests.Support;

/// <summary>What one fuzz run saw: answers by status, what counts as a failure, and the pace.</summary>
internal sealed class FuzzReport
{
    private int _requests;
    private int _webSocketFrames;
    private int _webSocketSessions;
    private int _sseSessions;

    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>Every 5xx (other than a documented 502/503), every connection closed without an answer, every request left unanswered, with the request that caused it.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    public int Requests => _requests;

    public int WebSocketSessions => _webSocketSessions;

    public int WebSocketFrames => _webSocketFrames;

    public int SseSessions => _sseSessions;

    public TimeSpan Elapsed { get; set; }

    internal void Answered(int status)
    {
        Interlocked.Increment(ref _requests);
        Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    internal void Unanswered() => Interlocked.Increment(ref _requests);

    internal void Framed(int frames)
    {
        Interlocked.Increment(ref _webSocketSessions);
        Interlocked.Add(ref _webSocketFrames, frames);
    }

    internal void Streamed() => Interlocked.Increment(ref _sseSessions);

    /// <summary>Requests, pace, answers by status and WebSocket and SSE sessions, as lines.</summary>
    public string Summary(int seed)
    {
        var rate = Requests / Math.Max(Elapsed.TotalSeconds, 0.001);
        var statuses = string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value:N0}"));
        return $"fuzz seed {seed}: {Requests:N0} requests in {Elapsed.TotalSeconds:F1} s ({rate:N0}/s), {WebSocketSessions:N0} WebSocket sessions ({WebSocketFrames:N0} frames), {SseSessions:N0} SSE connections, {Failures.Count:N0} failures\n"
            + $"by status: {statuses}";
    }
}

/// <summary>
/// Sends what <see cref="FuzzGenerator"/> makes to a server over real HTTP and WebSocket connections
/// on loopback, several at a time, and records in a <see cref="FuzzReport"/> what would be a bug
/// (issue 19): a 5xx, a connection closed without an answer, a /ws connection dropped without a close
/// frame, no answer at all.
/// </summary>
internal sealed class FuzzRunner(Uri server, FuzzGenerator generator, FuzzFixture fixture) : IDisposable
{
    /// <summary>Longer than any answer the server delays on purpose (a long poll waits <c>PollWaitSeconds</c>), on a busy machine.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private const int LargeBody = 64 * 1024;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
    {
        BaseAddress = server,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Sends requests 0 to <paramref name="count"/>-1 of the seed (or more, until <paramref name="duration"/>
    /// when one is given) over <paramref name="concurrency"/> connections, with a WebSocket session
    /// and an SSE connection every <paramref name="sessionEvery"/> requests.
    /// </summary>
    public async Task<FuzzReport> RunAsync(int count, int concurrency, TimeSpan? duration = null, int sessionEvery = 100)
    {
        var report = new FuzzReport();
        var clock = Stopwatch.StartNew();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (duration is { } limit ? clock.Elapsed >= limit : index >= count)
                {
                    return;
                }

                await SendAsync(generator.Next(index), report);
                if (index % sessionEvery == sessionEvery / 2)
                {
                    await WebSocketSessionAsync(index, report);
                    await SseSessionAsync(index, report);
                }
            }
        });
        await Task.WhenAll(workers);
        report.Elapsed = clock.Elapsed;
        return report;
    }

    /// <summary>Whether <c>/healthz</c> answers 200 <c>Healthy</c>, and what it answered.</summary>
    public async Task<(bool Healthy, string Answer)> HealthAsync()
    {
        using var response = await _http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode == HttpStatusCode.OK && body == "Healthy", $"{(int)response.StatusCode} {body}");
    }

    private async Task SendAsync(FuzzRequest request, FuzzReport report)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        HttpRequestMessage message;
        try
        {
            message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.PathAndQuery, UriKind.Relative));
        }
        catch (UriFormatException)
        {
            // Not a request an HTTP client can send; nothing reached the server.
            return;
        }

        using (message)
        {
            if (request.Credential.Authorization is { } authorization)
            {
                message.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (request.Body is not null)
            {
                // A large body waits for 100 Continue (RFC 9110 §10.1.1): a server that answers without
                // reading it (a 404, a 401) may close the connection, and a client still writing it would
                // see a broken pipe instead of the answer that was sent.
                message.Headers.ExpectContinue = request.Body.Length > LargeBody;
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }
            }

            try
            {
                // Headers only: an SSE answer never ends, and only a failure's body is worth reading.
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                report.Answered(status);
                if (status >= 500 && !Documented(response))
                {
                    var body = await response.Content.ReadAsStringAsync(timeout.Token);
                    report.Failures.Enqueue($"{status} for {request.Describe()}\n  answer: {(body.Length > 1000 ? body[..1000] : body)}");
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                report.Unanswered();
                report.Failures.Enqueue($"no answer in {AnswerTimeout.TotalSeconds} s to {request.Describe()}");
            }
            catch (HttpRequestException ex)
            {
                report.Unanswered();
                report.Failures.Enqueue($"connection closed without an answer ({ex.HttpRequestError}: {ex.GetBaseException().Message}) to {request.Describe()}");
            }
        }
    }

    /// <summary>
    /// The two 5xx the API documents as not the request's fault: 502 when a remote transmitter the
    /// request named fails (joining a source at a dead loopback port), 503 with <c>Retry-After</c>
    /// (a source's keys that cannot be fetched yet, intake busy). A 500 never is.
    /// </summary>
    private static bool Documented(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.BadGateway && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
        || response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null;

    /// <summary>
    /// A /ws connection sent generated frames: the server may answer, refuse or close it with a close
    /// frame (1009 for a message too big), never drop it, except after a text frame that is not UTF-8,
    /// where RFC 6455 §8.1 has it fail the connection (a 1007 close frame, and the TCP connection may
    /// end before the client's close is read); such a frame is therefore the last one sent. When the
    /// connection drops, each frame is sent again alone on a new connection to name the one that does it.
    /// </summary>
    private async Task WebSocketSessionAsync(int index, FuzzReport report)
    {
        var random = FuzzGenerator.RandomFor(generator.Seed, ~index);
        var frames = Enumerable.Range(0, 5 + random.Next(20)).Select(_ => generator.WebSocketFrame(random)).ToList();
        var invalid = frames.FindIndex(f => f.Text && !FuzzRequest.IsUtf8(f.Payload));
        if (invalid >= 0)
        {
            frames.RemoveRange(invalid + 1, frames.Count - invalid - 1);
        }

        var (sent, dropped) = await SendFramesAsync(frames);
        if (dropped is not null && invalid >= 0 && sent > invalid)
        {
            // Failed as RFC 6455 §8.1 requires, once the frame that is not UTF-8 was sent.
            dropped = null;
        }

        report.Framed(sent);
        if (dropped is null)
        {
            return;
        }

        var culprits = new List<string>();
        foreach (var frame in frames.Take(sent))
        {
            if ((!frame.Text || FuzzRequest.IsUtf8(frame.Payload)) && (await SendFramesAsync([frame])).Dropped is not null)
            {
                culprits.Add(Describe(frame));
            }
        }

        report.Failures.Enqueue($"/ws connection dropped without a close frame ({dropped}), seed {generator.Seed} session {index}; "
            + (culprits.Count > 0 ? "dropped by this frame alone:\n  " + string.Join("\n  ", culprits) : "by no frame alone; the frames:\n  " + string.Join("\n  ", frames.Take(sent).Select(Describe))));
    }

    /// <summary>Sends the frames on one connection and closes it; how many were sent, and why the connection dropped, if it did.</summary>
    private async Task<(int Sent, string? Dropped)> SendFramesAsync(IReadOnlyList<(byte[] Payload, bool Text)> frames)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var socket = new ClientWebSocket();
        var sent = 0;
        try
        {
            socket.Options.CollectHttpResponseDetails = true;
            try
            {
                await socket.ConnectAsync(new UriBuilder(new Uri(server, "/ws")) { Scheme = "ws" }.Uri, _http, timeout.Token);
            }
            catch (WebSocketException) when (socket.HttpStatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError)
            {
                // The upgrade was refused with an answer (a connection limit, say): nothing was dropped.
                return (0, null);
            }

            var receiving = DrainAsync(socket, timeout.Token);
            try
            {
                foreach (var (payload, text) in frames)
                {
                    if (socket.State != WebSocketState.Open || receiving.IsCompleted)
                    {
                        break;
                    }

                    await socket.SendAsync(payload, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
                    sent++;
                }

                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException)
            {
                // The server closed while a frame was going out; whether it said so is up to the receiving side.
            }

            await receiving;
            return (sent, null);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            return (sent, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Describe((byte[] Payload, bool Text) frame) =>
        (frame.Text ? "text " : "binary ") + FuzzRequest.Printable(frame.Payload, 300);

    /// <summary>Reads every message until the server's close frame.</summary>
    private static async Task DrainAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancel);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    /// <summary>An SSE connection to the fixture's poll stream with a generated <c>Last-Event-ID</c>: it must answer, and its first bytes must arrive or the stream end cleanly.</summary>
    private async Task SseSessionAsync(int index, FuzzReport report)
    {
        var random = FuzzGenerator.RandomFor(generator.Seed, ~index ^ 0x5e5);
        var lastEventId = random.Next(3) == 0 ? null : FuzzGenerator.LastEventId(random);
        var token = random.Next(2) == 0 ? fixture.StreamTopicToken : fixture.TopicTokens[random.Next(fixture.TopicTokens.Count)];
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/ssf/sse/{fixture.PollStreamId}", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var described = $"SSE seed {generator.Seed} session {index}: Last-Event-ID {lastEventId ?? "(none)"}";
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            report.Streamed();
            report.Answered((int)response.StatusCode);
            if ((int)response.StatusCode >= 500 && !Documented(response))
            {
                report.Failures.Enqueue($"{(int)response.StatusCode} for {described}");
                return;
            }

            // The first bytes (an event, a keep-alive comment, an error) or the end, within a moment; then hang up.
            using var glance = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            glance.CancelAfter(TimeSpan.FromMilliseconds(300));
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            try
            {
                _ = await body.ReadAsync(new byte[4096], glance.Token);
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
                // Nothing to say yet: an open stream.
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            report.Failures.Enqueue($"no answer in {AnswerTimeout.TotalSeconds} s to {described}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            report.Failures.Enqueue($"SSE connection closed without an answer ({ex.Message}) to {described}");
        }
    }

    public void Dispose() => _http.Dispose();
}
