using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    /// <exception cref="SourceException">The token endpoint could not be reached or refused the client.</exception>
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

    private async Task<CachedToken> RequestAsync(string endpoint, string clientId, string secret, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(FetchTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = Scope }),
        };

        // RFC 6749 §2.3.1: client_secret_basic, each part form-urlencoded before the Basic encoding.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.Client.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new SourceException($"The token endpoint {endpoint} refused client '{clientId}': HTTP {(int)response.StatusCode} {OAuthError(text)}".TrimEnd())
                {
                    RemoteStatus = (int)response.StatusCode,
                };
            }

            return Read(text, endpoint);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"The token endpoint {endpoint} could not be used: {ex.Message}", ex);
        }
    }

    /// <summary>RFC 6749 §5.1: a Bearer <c>access_token</c> with its <c>expires_in</c>.</summary>
    private static CachedToken Read(string text, string endpoint)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("access_token", out var accessToken) || accessToken.ValueKind != JsonValueKind.String || accessToken.GetString() is not { Length: > 0 } value)
        {
            throw new SourceException($"The token endpoint {endpoint} answered without an access_token.");
        }

        if (root.TryGetProperty("token_type", out var type) && !string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new SourceException($"The token endpoint {endpoint} issued a {type} token; only Bearer tokens can be used.");
        }

        var lifetime = root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetInt64(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, 86400))
            : DefaultLifetime;
        return new CachedToken("Bearer " + value, lifetime, DateTimeOffset.MinValue);
    }

    private static string OAuthError(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) ? $"({error})" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Keyed by a hash of the secret too, so that a stream with another secret never gets this one's token.</summary>
    private static string CacheKey(string endpoint, string clientId, string secret) =>
        $"{endpoint} {clientId} {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))}";

    private sealed record CachedToken(string Header, TimeSpan Lifetime, DateTimeOffset RenewAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token for client {ClientId} issued by {TokenEndpoint}, valid {Seconds} s")]
    private static partial void LogTokenIssued(ILogger logger, string clientId, string tokenEndpoint, int seconds);
}
