using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using SharpSignals.Client;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Sources;

/// <summary>
/// The credential for a joined source's API (docs/API.md, "Inbound streams"): its fixed
/// <c>authorization_header</c>, or an access token from its token endpoint with the OAuth client
/// credentials grant (RFC 6749 §4.4), kept until shortly before it expires.
/// </summary>
internal sealed partial class SourceTokens(SourceHttp http, TimeProvider time, ILogger<SourceTokens> logger)
{
    /// <summary>
    /// SSF 1.0 §8.1 management and reading, as the conformance suite's transmitter asks for
    /// (docs/STANDARDS.md, "The OpenID conformance suite").
    /// </summary>
    public const string Scope = "ssf.manage ssf.read";

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    // RFC 6749 §5.1: expires_in is only RECOMMENDED; without it, ask again soon rather than never.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);

    /// <summary>The token endpoint of a source: its own <c>token_endpoint</c>, else <c>/oauth/token</c> under its issuer.</summary>
    public static string TokenEndpoint(SourceConfiguration source) =>
        source.TokenEndpoint ?? source.Issuer.TrimEnd('/') + "/oauth/token";

    /// <summary>
    /// The Authorization header value for the source's API, or null when the source has no credential.
    /// <paramref name="renew"/> drops a cached access token first (the source answered 401 to it).
    /// </summary>
    /// <exception cref="SharedSignalsClientException">The token endpoint could not be reached or refused the client.</exception>
    public async Task<string?> AuthorizationAsync(SourceConfiguration source, bool renew, CancellationToken cancellationToken)
    {
        if (source.AuthorizationHeader is { } header)
        {
            return header;
        }

        if (source.ClientId is not { } clientId || source.ClientSecret is not { } secret)
        {
            return null;
        }

        var endpoint = TokenEndpoint(source);
        var key = CacheKey(endpoint, clientId, secret);
        var now = time.GetUtcNow();
        if (!renew && _tokens.TryGetValue(key, out var cached) && now < cached.RenewAt)
        {
            return cached.Header;
        }

        var token = await RequestAsync(endpoint, clientId, secret, cancellationToken);
        _tokens[key] = token with { RenewAt = now + (token.Lifetime > 2 * RefreshMargin ? token.Lifetime - RefreshMargin : token.Lifetime / 2) };
        LogTokenIssued(logger, clientId, endpoint, (int)token.Lifetime.TotalSeconds);
        return token.Header;
    }

    /// <summary>RFC 6749 §4.4 with client_secret_basic, through the client over the guarded HttpClient.</summary>
    private async Task<CachedToken> RequestAsync(string endpoint, string clientId, string secret, CancellationToken cancellationToken)
    {
        var client = http.For(new SharedSignalsClientOptions
        {
            ClientId = clientId,
            ClientSecret = secret,
            Scope = Scope,
            TokenEndpoint = endpoint,
            Timeout = FetchTimeout,
        }, time);
        var token = await client.RequestTokenAsync(cancellationToken);
        var lifetime = token.ExpiresIn is { } expiresIn ? TimeSpan.FromSeconds(Math.Min(expiresIn.TotalSeconds, 86400)) : DefaultLifetime;
        return new CachedToken("Bearer " + token.Value, lifetime, DateTimeOffset.MinValue);
    }

    /// <summary>Keyed by a hash of the secret too, so that a stream with another secret never gets this one's token.</summary>
    private static string CacheKey(string endpoint, string clientId, string secret) =>
        $"{endpoint} {clientId} {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))}";

    private sealed record CachedToken(string Header, TimeSpan Lifetime, DateTimeOffset RenewAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token for client {ClientId} issued by {TokenEndpoint}, valid {Seconds} s")]
    private static partial void LogTokenIssued(ILogger logger, string clientId, string tokenEndpoint, int seconds);
}
