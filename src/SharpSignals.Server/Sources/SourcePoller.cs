using Microsoft.Extensions.Options;
using SharpSignals.Client;
using SharpSignals.Server.Routing;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Sources;

/// <summary>
/// Polls the source of one inbound poll stream (RFC 8936) until the stream stops being polled. Each
/// SET of an answer goes through <see cref="SourceIntake"/> like a push, in the order the source
/// listed them. A SET is acknowledged only once its append is committed (accepted, or already
/// stored); one that fails validation goes back in <c>setErrs</c>; a transient failure (the source's
/// keys unreachable, the store failing) is neither, so the source sends it again, and the rest of that
/// answer waits for it, which keeps the order. Acknowledgements ride on the next poll and are kept
/// until a poll succeeds; a crash before that only makes the source resend, and the event log's unique
/// issuer + <c>jti</c> answers a resend as a duplicate.
/// </summary>
internal sealed partial class SourcePoller(
    string streamId,
    StreamCatalog catalog,
    SourceIntake intake,
    SourceHttp http,
    SourcePollStatus status,
    IOptions<SourceOptions> options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How long past the agreed long-poll wait an answer may take, and how long a short poll may take.</summary>
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(15);

    /// <summary>How long asking the source's token endpoint for an access token may take.</summary>
    private static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long the last acknowledgements may take to send when the poller stops.</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    // Settled SETs the source has not yet been told about (RFC 8936 §2.4): sent with every poll until one succeeds.
    private readonly List<string> _ack = [];
    private readonly Dictionary<string, PushError> _errors = new(StringComparer.Ordinal);

    private StreamRoute? _lastRoute;
    private int _failures;
    private bool _renewToken;

    /// <summary>Whether a stream is one this server polls: inbound, by poll, enabled, with a URL to poll.</summary>
    public static bool IsPolled(StreamRoute? route) =>
        route is { Configuration.IsInbound: true, IsPush: false, Status: StreamStatuses.Enabled }
        && route.Configuration.Delivery is { Method: DeliveryMethods.Poll, EndpointUrl: not null };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PollUntilStoppedAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the stream changed or the server is shutting down.
        }
        finally
        {
            await FlushAsync();
        }
    }

    private async Task PollUntilStoppedAsync(CancellationToken cancellationToken)
    {
        var returnImmediately = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var route = catalog.Find(streamId);
            if (!IsPolled(route))
            {
                return;
            }

            _lastRoute = route;
            TimeSpan? wait;
            try
            {
                var answer = await PollAsync(route!, options.Value.PollMaxEvents, returnImmediately, AnswerTimeout(longPoll: !returnImmediately), cancellationToken);
                if (answer.Error is { } error)
                {
                    wait = Failed(error, answer.RetryAfter);
                }
                else
                {
                    wait = await ReceiveAsync(route!, answer.Sets, cancellationToken);
                    returnImmediately = answer.MoreAvailable && wait is null;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Not a failure of the source's: a bug here must not stop the stream for good, nor spin.
                LogUnexpected(logger, ex, streamId);
                wait = Failed(ex.GetType().Name, retryAfter: null);
            }

            if (wait is { } delay)
            {
                returnImmediately = false;
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Receives the SETs of one answer, in order; returns how long to wait when one failed transiently.</summary>
    private async Task<TimeSpan?> ReceiveAsync(StreamRoute route, IReadOnlyList<KeyValuePair<string, string?>> sets, CancellationToken cancellationToken)
    {
        foreach (var (jti, token) in sets)
        {
            if (token is null || token.Length > options.Value.MaxSetBytes)
            {
                Refuse(jti, new SetError(SetErrorCodes.InvalidRequest, token is null
                    ? "The SET is not a string."
                    : $"The SET is larger than {options.Value.MaxSetBytes} bytes."));
                continue;
            }

            SourceOutcome outcome;
            try
            {
                outcome = await intake.ReceiveAsync(route, token.Trim(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The append failed (the store): not the SET's fault, so neither acknowledged nor refused.
                LogAppendFailed(logger, ex, streamId, jti);
                return Failed($"{jti} could not be stored: {ex.Message}", retryAfter: null);
            }

            if (outcome.IsAccepted)
            {
                _ack.Add(jti);
            }
            else if (outcome.IsTransient)
            {
                return Failed($"{jti}: {outcome.Error!.Description}", retryAfter: null);
            }
            else
            {
                Refuse(jti, outcome.Error!);
            }
        }

        return null;
    }

    /// <summary>RFC 8936 §2.6: a SET that failed validation is reported with its RFC 8935 error code.</summary>
    private void Refuse(string jti, SetError error)
    {
        _errors[jti] = new PushError(error.Code, error.Description);
        LogRefused(logger, streamId, jti, error.Code);
    }

    /// <summary>
    /// One poll (RFC 8936 §2.2), carrying the acknowledgements and errors not yet sent; they are
    /// forgotten only once the source answered 200.
    /// </summary>
    private async Task<PollAnswer> PollAsync(StreamRoute route, int maxEvents, bool returnImmediately, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var delivery = route.Configuration.Delivery;
        var request = new PollRequest
        {
            MaxEvents = maxEvents,
            ReturnImmediately = returnImmediately,
            Ack = [.. _ack],
            SetErrs = _errors.ToDictionary(e => e.Key, e => new PollSetError(e.Value.Err, e.Value.Description), StringComparer.Ordinal),
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string? authorization;
        try
        {
            // The configured value as it is, like a push's (SSF 1.0 §6.1.1); a stream joined with
            // client credentials uses an access token from the source, renewed after a 401 at the next poll.
            authorization = delivery.AuthorizationHeader
                ?? (route.Configuration.Source is { ClientId: not null } source ? await http.For(source, TokenTimeout, time).AuthorizationAsync(_renewToken, deadline.Token) : null);
        }
        catch (SharedSignalsClientException ex)
        {
            // The token endpoint's failure, said as the client said it (not as a poll answer's status).
            return PollAnswer.Failed(ex.Message, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PollAnswer.Failed($"no answer within {timeout.TotalSeconds:0} s", null);
        }

        try
        {
            var client = http.For(new SharedSignalsClientOptions { AuthorizationHeader = authorization, Timeout = null }, time);
            var answer = await client.PollAsync(delivery.EndpointUrl!, request, timeout: null, deadline.Token);
            _renewToken = false;
            _ack.Clear();
            _errors.Clear();
            _failures = 0;
            status.Succeeded(streamId);
            return new PollAnswer(answer.Sets, answer.MoreAvailable, null, null);
        }
        catch (SharedSignalsClientException ex)
        {
            _renewToken = ex.Status == 401;
            return ex switch
            {
                { Status: { } code and (< 200 or > 299) } => PollAnswer.Failed($"HTTP {code}", code is 429 or 503 ? ex.RetryAfter : null),
                { Status: not null } => PollAnswer.Failed("the answer is not JSON with a sets object", null),
                { InnerException: HttpRequestException network } => PollAnswer.Failed(network.HttpRequestError == HttpRequestError.Unknown ? network.Message : $"{network.HttpRequestError}: {network.Message}", null),
                { InnerException: OperationCanceledException } when !cancellationToken.IsCancellationRequested => PollAnswer.Failed($"no answer within {timeout.TotalSeconds:0} s", null),
                _ => PollAnswer.Failed(ex.Message, null),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PollAnswer.Failed($"no answer within {timeout.TotalSeconds:0} s", null);
        }
    }

    /// <summary>Stopping: the source is told of what was settled, if it can be reached at once; else it resends those SETs.</summary>
    private async Task FlushAsync()
    {
        if (_lastRoute is null || (_ack.Count == 0 && _errors.Count == 0))
        {
            return;
        }

        var count = _ack.Count + _errors.Count;
        try
        {
            // RFC 8936 §2.4: an acknowledgement-only request, maxEvents 0.
            var answer = await PollAsync(_lastRoute, maxEvents: 0, returnImmediately: true, FlushTimeout, CancellationToken.None);
            if (answer.Error is { } error)
            {
                LogFlushFailed(logger, streamId, count, error);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            LogFlushFailed(logger, streamId, count, ex.Message);
        }
    }

    private TimeSpan AnswerTimeout(bool longPoll) => longPoll ? TimeSpan.FromSeconds(options.Value.PollWaitSeconds) + AnswerMargin : AnswerMargin;

    /// <summary>Records a failed poll and says how long to wait: the source's Retry-After (capped), else exponential back-off with jitter.</summary>
    private TimeSpan Failed(string error, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        var max = TimeSpan.FromSeconds(settings.PollMaxBackoffSeconds);
        var delay = retryAfter is { } asked && asked > TimeSpan.Zero
            ? (asked < max ? asked : max)
            : Backoff(_failures, settings);
        _failures++;
        status.Failed(streamId, error);
        LogPollFailed(logger, streamId, error, _failures, delay.TotalSeconds);
        return delay;
    }

    /// <summary>Exponential back-off with ±20 % jitter, so that sources failing together are not polled again together.</summary>
    internal static TimeSpan Backoff(int previousFailures, SourceOptions settings)
    {
        var seconds = Math.Min(settings.PollInitialBackoffSeconds * Math.Pow(2, Math.Min(previousFailures, 30)), settings.PollMaxBackoffSeconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(seconds * jitter);
    }

    /// <summary>An answer to a poll: its SETs in the order the source listed them, or what went wrong.</summary>
    private sealed record PollAnswer(IReadOnlyList<KeyValuePair<string, string?>> Sets, bool MoreAvailable, string? Error, TimeSpan? RetryAfter)
    {
        public static PollAnswer Failed(string error, TimeSpan? retryAfter) => new([], false, error, retryAfter);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound stream {StreamId}: poll failed ({Error}), {Failures} in a row; polling again in {Seconds:0.0} s")]
    private static partial void LogPollFailed(ILogger logger, string streamId, string error, int failures, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound stream {StreamId}: {Jti} refused with {Error}; returned to the source in setErrs")]
    private static partial void LogRefused(ILogger logger, string streamId, string jti, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound stream {StreamId}: {Jti} could not be appended; the source will resend it")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string streamId, string jti);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound stream {StreamId}: {Count} settled SETs could not be acknowledged on stopping ({Error}); the source will resend them")]
    private static partial void LogFlushFailed(ILogger logger, string streamId, int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound stream {StreamId}: the poller failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string streamId);
}
