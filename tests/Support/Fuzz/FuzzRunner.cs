using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

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

    /// <summary>A /ws connection sent generated frames; the server must answer or close with a close frame, never drop the connection.</summary>
    private async Task WebSocketSessionAsync(int index, FuzzReport report)
    {
        var random = FuzzGenerator.RandomFor(generator.Seed, ~index);
        var frames = new List<string>();
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(new UriBuilder(new Uri(server, "/ws")) { Scheme = "ws" }.Uri, _http, timeout.Token);
            var receiving = DrainAsync(socket, timeout.Token);
            var count = 5 + random.Next(20);
            for (var i = 0; i < count && socket.State == WebSocketState.Open && !receiving.IsCompleted; i++)
            {
                var (payload, text) = generator.WebSocketFrame(random);
                frames.Add((text ? "text " : "binary ") + Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 300)));
                await socket.SendAsync(payload, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
            }

            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }

            await receiving;
            report.Framed(frames.Count);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            report.Framed(frames.Count);
            report.Failures.Enqueue($"/ws connection dropped without a close frame ({ex.GetType().Name}: {ex.Message}), seed {generator.Seed} session {index}, after frames:\n  " + string.Join("\n  ", frames.Select(f => f.ReplaceLineEndings("\\n"))));
        }
    }

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
