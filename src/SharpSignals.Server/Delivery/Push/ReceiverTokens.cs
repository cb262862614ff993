using System.Collections.Concurrent;
using SharpSignals.Client;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>
/// The access tokens of push streams whose receiver issues them (<c>delivery.oauth</c>, docs/API.md, "Receivers whose tokens expire"):
/// got with the client credentials grant (RFC 6749 §4.4) through <see cref="SharedSignalsClient"/> over
/// the pushes' own guarded handler, one per stream, kept until shortly before <c>expires_in</c> runs out.
/// The client library's <see cref="AccessTokenCache"/> is not used: it lets callers that miss at once
/// each ask the endpoint, and a stream's lanes miss at once whenever its token expires; here every lane
/// of a stream waits for one request, and a renewal after a 401 happens once however many lanes met it.
/// Each node keeps its own tokens.
/// </summary>
internal sealed partial class ReceiverTokens(HttpClient http, TimeSpan timeout, TimeProvider time, ServerMetrics metrics, ILogger logger)
{
    /// <summary>The largest token endpoint answer read: a token response is a few hundred bytes.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>How long before it expires a token is replaced, so that none expires on its way to the receiver.</summary>
    private static readonly TimeSpan RenewMargin = TimeSpan.FromSeconds(60);

    // RFC 6749 §5.1: expires_in is only RECOMMENDED; without it, ask again soon rather than never.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, StreamToken> _streams = new(StringComparer.Ordinal);

    /// <summary>
    /// The <c>Authorization</c> header value for the stream's next push: the token held, or a new one
    /// when none is held, it is about to expire, or it is <paramref name="refused"/> (the receiver
    /// answered 401 to it).
    /// </summary>
    /// <exception cref="ReceiverTokenException">The token endpoint gave no usable token.</exception>
    public ValueTask<string> AuthorizationAsync(StreamRoute route, ReceiverOAuth oauth, string? refused, CancellationToken cancellationToken)
    {
        var stream = _streams.GetOrAdd(route.StreamId, static (_, o) => new StreamToken(o), oauth);
        if (!stream.OAuth.Equals(oauth))
        {
            // The stream's receiver, client or secret changed: the token held belongs to the old one.
            stream = new StreamToken(oauth);
            _streams[route.StreamId] = stream;
        }

        var now = time.GetUtcNow();
        if (stream.Current is { } held && held.Header != refused && now < held.RenewAt)
        {
            return ValueTask.FromResult(held.Header);
        }

        return new ValueTask<string>(stream.NextAsync(refused, now, () => FetchAsync(route, stream, refused is not null)).WaitAsync(cancellationToken));
    }

    /// <summary>Drops the stream's token (its worker stopped on this node).</summary>
    public void Forget(string streamId) => _streams.TryRemove(streamId, out _);

    private async Task<string> FetchAsync(StreamRoute route, StreamToken stream, bool renewing)
    {
        var oauth = stream.OAuth;
        var client = new SharedSignalsClient(http, new SharedSignalsClientOptions
        {
            TokenEndpoint = oauth.TokenEndpoint,
            ClientId = oauth.ClientId,
            ClientSecret = oauth.ClientSecret,
            Scope = oauth.Scope,
            ClientAuthentication = oauth.TokenEndpointAuthMethod == ReceiverOAuth.PostAuthentication
                ? ClientAuthenticationMethod.ClientSecretPost
                : ClientAuthenticationMethod.ClientSecretBasic,
            Timeout = timeout,
        }, time);
        var asked = time.GetUtcNow();
        AccessToken token;
        try
        {
            // Not the caller's cancellation: the request serves every lane waiting for it.
            token = await client.RequestTokenAsync(CancellationToken.None);
        }
        catch (SharedSignalsClientException ex)
        {
            var reason = Reason(ex);
            metrics.TokenRequest(route.StreamId, route.Project, ServerMetrics.TokenOutcomes.Failed);
            LogFailed(logger, route.StreamId, reason);
            throw new ReceiverTokenException(reason);
        }

        var lifetime = token.ExpiresIn is { } expiresIn ? (expiresIn < LongestLifetime ? expiresIn : LongestLifetime) : DefaultLifetime;
        var renewAt = asked + (lifetime > 2 * RenewMargin ? lifetime - RenewMargin : lifetime / 2);
        stream.Current = new HeldToken("Bearer " + token.Value, renewAt);
        metrics.TokenRequest(route.StreamId, route.Project, renewing ? ServerMetrics.TokenOutcomes.Renewed : ServerMetrics.TokenOutcomes.Fetched);
        if (renewing)
        {
            LogRenewed(logger, route.StreamId, lifetime.TotalSeconds);
        }
        else
        {
            LogFetched(logger, route.StreamId, lifetime.TotalSeconds);
        }

        return stream.Current.Header;
    }

    /// <summary>What failed, for the attempt log and the metrics' reason: never the endpoint's body, which may echo the secret.</summary>
    private static string Reason(SharedSignalsClientException ex) => ex switch
    {
        { Status: { } status } => $"token endpoint: HTTP {status}{(ex.Error is { Length: <= 64 } error ? $" ({error})" : "")}",
        { InnerException: OperationCanceledException } => "token endpoint: timeout",
        // Unknown covers an answer past MaxResponseBytes, as well as failures the stack cannot name.
        { InnerException: HttpRequestException network } => $"token endpoint: {(network.HttpRequestError == HttpRequestError.Unknown ? "request failed" : network.HttpRequestError)}",
        _ => "token endpoint: no Bearer access_token in its answer",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: got an access token from the receiver's token endpoint, valid {Seconds:0} s")]
    private static partial void LogFetched(ILogger logger, string streamId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: the receiver refused its access token (401); got a new one, valid {Seconds:0} s")]
    private static partial void LogRenewed(ILogger logger, string streamId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: no access token from the receiver's token endpoint ({Reason}); the push counts as failed")]
    private static partial void LogFailed(ILogger logger, string streamId, string reason);

    /// <summary>A token held, as the header value sent, and when to replace it.</summary>
    private sealed record HeldToken(string Header, DateTimeOffset RenewAt);

    /// <summary>One stream's token, and the request for its next one while it runs.</summary>
    private sealed class StreamToken(ReceiverOAuth oauth)
    {
        private readonly Lock _gate = new();
        private volatile HeldToken? _current;
        private Task<string>? _next;

        public ReceiverOAuth OAuth { get; } = oauth;

        public HeldToken? Current
        {
            get => _current;
            set => _current = value;
        }

        /// <summary>
        /// The request running, else the token held if another caller has just replaced it, else a new
        /// request: callers that all miss, or all met one refused token, wait for the same request.
        /// </summary>
        public Task<string> NextAsync(string? refused, DateTimeOffset now, Func<Task<string>> fetch)
        {
            lock (_gate)
            {
                if (_next is { IsCompleted: false } running)
                {
                    return running;
                }

                if (_current is { } held && held.Header != refused && now < held.RenewAt)
                {
                    return Task.FromResult(held.Header);
                }

                _next = fetch();
                return _next;
            }
        }
    }
}

/// <summary>The receiver's token endpoint gave no usable access token; <see cref="Reason"/> says why, without any secret.</summary>
internal sealed class ReceiverTokenException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
