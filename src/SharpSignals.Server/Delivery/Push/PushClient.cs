using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Telemetry;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// Sends SETs to push endpoints (RFC 8935 §2) over one shared, pooled <see cref="GuardedHttpHandler"/>:
/// <c>Content-Type: application/secevent+jwt</c>, <c>Accept: application/json</c>, and the stream's
/// <c>authorization_header</c> verbatim, an access token from the receiver's own token endpoint
/// (<see cref="ReceiverTokens"/>, over the same handler), or no Authorization header at all. Every
/// connection is checked against <see cref="OutboundAddressPolicy"/> at connect time; redirects are not followed.
/// </summary>
internal sealed partial class PushClient : IDisposable
{
    private static readonly MediaTypeHeaderValue SetContentType = new(SetMediaTypes.ContentType);
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _http;
    private readonly HttpClient _tokenHttp;
    private readonly ReceiverTokens _tokens;
    private readonly TimeProvider _time;
    private readonly ServerMetrics _metrics;

    public PushClient(OutboundAddressPolicy addresses, IOptions<PushOptions> options, IOptions<TelemetryOptions> telemetry, ServerMetrics metrics, TimeProvider time, ILogger<ReceiverTokens> tokenLogger)
    {
        _time = time;
        _metrics = metrics;
        var handler = GuardedHttpHandler.Create(addresses);
        if (!telemetry.Value.PushTraceParent)
        {
            // The HTTP stack sends the current span's traceparent on its own; a receiver gets it only when allowed.
            handler.ActivityHeadersPropagator = null;
        }

        var timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        _http = new HttpClient(handler) { Timeout = timeout };

        // The token requests go through the same guarded handler; their time-out is per request.
        _tokenHttp = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = ReceiverTokens.MaxResponseBytes };
        _tokens = new ReceiverTokens(_tokenHttp, timeout, time, metrics, tokenLogger);
    }

    public async Task<PushOutcome> PushAsync(Uri endpoint, string? authorizationHeader, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(token, Encoding.ASCII),
        };
        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            // RFC 8935 names no HTTP version: HTTP/2 when the receiver offers it in ALPN, so that a
            // stream's lanes (and every stream to that receiver) share one connection; else HTTP/1.1.
            // Plain http:// stays HTTP/1.1 (no prior knowledge of HTTP/2 is assumed).
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }

        request.Content.Headers.ContentType = SetContentType;
        request.Headers.Accept.Add(AcceptJson);
        if (authorizationHeader is not null)
        {
            // SSF 1.0 §6.1.1: the exact configured value, not re-parsed into scheme and parameter.
            request.Headers.TryAddWithoutValidation("Authorization", authorizationHeader);
        }

        var started = _time.GetTimestamp();
        try
        {
            // Asynchronous: a slow or hanging receiver holds a pending task, not one of the push
            // threads, and the worker resumes on its push thread (PushThreads), not the shared queue.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var duration = _time.GetElapsedTime(started);
            var outcome = await ReadOutcomeAsync(response, cancellationToken);
            return outcome with { Status = (int)response.StatusCode, Duration = duration, Response = PushResponseExcerpt.Read(response.Content, authorizationHeader) };
        }
        catch (HttpRequestException ex)
        {
            return new PushOutcome(PushResult.Retry, ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString()) { Duration = _time.GetElapsedTime(started) };
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PushOutcome(PushResult.Retry, "timeout") { Duration = _time.GetElapsedTime(started) };
        }
    }

    private async Task<PushOutcome> ReadOutcomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return new PushOutcome(PushResult.Delivered);
        }

        if (status is 401 or 403)
        {
            return new PushOutcome(PushResult.Unauthorized, $"HTTP {status}");
        }

        if (status == 400 && await ReadErrorAsync(response, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        return new PushOutcome(PushResult.Retry, $"HTTP {status}", RetryAfter: status is 429 or 503 ? RetryAfter(response) : null);
    }

    /// <summary>Drops the stream's access token, if it has one (its worker stopped on this node).</summary>
    public void ForgetAccessToken(string streamId) => _tokens.Forget(streamId);

    public void Dispose()
    {
        _tokenHttp.Dispose();
        _http.Dispose();
    }

    /// <summary>RFC 8935 §2.3: a 400 body <c>{"err", "description"}</c>; without one, a 400 is retried like other failures.</summary>
    private static async Task<PushOutcome?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("err", out var err) && err.ValueKind == JsonValueKind.String)
            {
                var description = document.RootElement.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                return new PushOutcome(PushResult.Refused, err.GetString(), description);
            }
        }
        catch (JsonException)
        {
            // Not an RFC 8935 error body.
        }

        return null;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter?.Date is { } date ? date - _time.GetUtcNow() : null;
    }
}
