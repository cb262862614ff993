using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Receiver.Transmitter;

/// <summary>
/// This application as an SSF receiver calling its transmitter (SSF 1.0 §7 and §8.1): discovery,
/// stream configuration, status and verification, the RFC 8936 poll, and the JWKS. Every failure is
/// a <see cref="TransmitterException"/>.
/// </summary>
internal sealed class TransmitterClient(HttpClient http, IOptions<SharedSignalsReceiverOptions> options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Header, DateTimeOffset RenewAt)? _token;

    private SharedSignalsReceiverOptions Settings => options.Value;

    public void Dispose()
    {
        _tokenLock.Dispose();
        http.Dispose();
    }

    /// <summary>SSF 1.0 §7.2 (RFC 8615): the well-known segment goes between the issuer's host and its path.</summary>
    public static Uri MetadataUrl(string issuer)
    {
        var uri = new Uri(issuer);
        return new Uri($"{uri.GetLeftPart(UriPartial.Authority)}/.well-known/ssf-configuration{uri.AbsolutePath.TrimEnd('/')}");
    }

    public async Task<TransmitterMetadata> DiscoverAsync(CancellationToken cancellationToken)
    {
        var url = MetadataUrl(Settings.Issuer);
        var text = await GetStringAsync(url, cancellationToken);
        TransmitterMetadata? metadata;
        try
        {
            metadata = TransmitterMetadata.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new TransmitterException($"The metadata at {url} is not JSON.", ex);
        }

        // SSF 1.0 §7.2: the document must speak for exactly the issuer it was fetched for.
        if (metadata?.Issuer != Settings.Issuer)
        {
            throw new TransmitterException($"The metadata at {url} names the issuer '{metadata?.Issuer}', not '{Settings.Issuer}'.");
        }

        return metadata;
    }

    /// <summary>GETs a public document (metadata, JWKS).</summary>
    public async Task<string> GetStringAsync(Uri url, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CallTimeout);
        try
        {
            using var response = await http.GetAsync(url, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new TransmitterException($"GET {url} answered HTTP {(int)response.StatusCode}.") { Status = (int)response.StatusCode };
            }

            return await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TransmitterException($"GET {url} failed: {ex.Message}", ex);
        }
    }

    /// <summary>SSF 1.0 §8.1.1.1: creates a stream.</summary>
    public async Task<StreamConfiguration> CreateStreamAsync(TransmitterMetadata metadata, JsonObject body, CancellationToken cancellationToken)
    {
        var url = ConfigurationEndpoint(metadata);
        var (_, text) = await SendAsync(HttpMethod.Post, url, body, "create the stream", timeout: null, cancellationToken);
        return StreamConfiguration.Read(text, Settings.Issuer, url);
    }

    /// <summary>SSF 1.0 §8.1.1.2: reads a stream; null when the transmitter no longer knows it (404).</summary>
    public async Task<StreamConfiguration?> ReadStreamAsync(TransmitterMetadata metadata, string streamId, CancellationToken cancellationToken)
    {
        var url = WithStreamId(ConfigurationEndpoint(metadata), streamId);
        try
        {
            var (_, text) = await SendAsync(HttpMethod.Get, url, null, "read the stream", timeout: null, cancellationToken);
            return StreamConfiguration.Read(text, Settings.Issuer, url);
        }
        catch (TransmitterException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>SSF 1.0 §8.1.1.3: changes receiver-supplied members; null when the transmitter will apply it later (202).</summary>
    public async Task<StreamConfiguration?> UpdateStreamAsync(TransmitterMetadata metadata, JsonObject body, CancellationToken cancellationToken)
    {
        var url = ConfigurationEndpoint(metadata);
        var (status, text) = await SendAsync(HttpMethod.Patch, url, body, "update the stream", timeout: null, cancellationToken);
        return status == (int)HttpStatusCode.Accepted ? null : StreamConfiguration.Read(text, Settings.Issuer, url);
    }

    /// <summary>SSF 1.0 §8.1.2.1: the stream's status (<c>enabled</c>, <c>paused</c>, <c>disabled</c>), or null when the transmitter has no status endpoint.</summary>
    public async Task<string?> ReadStatusAsync(TransmitterMetadata metadata, string streamId, CancellationToken cancellationToken)
    {
        if (metadata.StatusEndpoint is not { } endpoint)
        {
            return null;
        }

        var (_, text) = await SendAsync(HttpMethod.Get, WithStreamId(endpoint, streamId), null, "read the stream's status", timeout: null, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>SSF 1.0 §8.1.4.2: asks for a verification event carrying <paramref name="state"/>.</summary>
    public async Task RequestVerificationAsync(TransmitterMetadata metadata, string streamId, string state, CancellationToken cancellationToken)
    {
        var endpoint = metadata.VerificationEndpoint ?? throw new TransmitterException($"{Settings.Issuer} advertises no verification_endpoint, so the stream cannot be verified (VerifyOnStart false goes without).");
        await SendAsync(HttpMethod.Post, endpoint, new JsonObject { ["stream_id"] = streamId, ["state"] = state }, "request a verification", timeout: null, cancellationToken);
    }

    /// <summary>RFC 8936 §2: one poll; the body is the poll request, the answer the transmitter's JSON.</summary>
    public async Task<string> PollAsync(string endpoint, JsonObject body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (_, text) = await SendAsync(HttpMethod.Post, endpoint, body, "poll", timeout, cancellationToken);
        return text;
    }

    private string ConfigurationEndpoint(TransmitterMetadata metadata) =>
        metadata.ConfigurationEndpoint ?? throw new TransmitterException($"{Settings.Issuer} advertises no configuration_endpoint, so no stream can be created there.");

    private async Task<(int Status, string Text)> SendAsync(HttpMethod method, string url, JsonObject? body, string action, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout ?? CallTimeout);
            try
            {
                var authorization = await AuthorizationAsync(renew: attempt > 0, deadline.Token);
                using var request = new HttpRequestMessage(method, url);
                if (body is not null)
                {
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                }

                if (authorization is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                request.Headers.Accept.Add(AcceptJson);
                using var response = await http.SendAsync(request, deadline.Token);

                // RFC 6750 §3.1: an expired access token is answered 401; one new token, one more try.
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && Settings.ClientId is not null)
                {
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync(deadline.Token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new TransmitterException($"Could not {action}: {method} {url} answered HTTP {(int)response.StatusCode}{Detail(text)}.")
                    {
                        Status = (int)response.StatusCode,
                        RetryAfter = RetryAfter(response.Headers.RetryAfter),
                    };
                }

                return ((int)response.StatusCode, text);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TransmitterException($"Could not {action}: {method} {url} failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The fixed credential, or an access token by the client credentials grant (RFC 6749 §4.4), renewed before it expires.</summary>
    private async Task<string?> AuthorizationAsync(bool renew, CancellationToken cancellationToken)
    {
        if (Settings.AuthorizationHeader is { } header)
        {
            return header;
        }

        if (Settings.ClientId is not { } clientId || Settings.ClientSecret is not { } secret)
        {
            return null;
        }

        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (!renew && _token is { } cached && now < cached.RenewAt)
            {
                return cached.Header;
            }

            var endpoint = Settings.TokenEndpoint ?? Settings.Issuer.TrimEnd('/') + "/oauth/token";
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = Settings.Scope }),
            };

            // RFC 6749 §2.3.1: client_secret_basic, each part form-urlencoded first.
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
            request.Headers.Accept.Add(AcceptJson);
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new TransmitterException($"The token endpoint {endpoint} refused client '{clientId}': HTTP {(int)response.StatusCode}{Detail(text)}.") { Status = (int)response.StatusCode };
            }

            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (!root.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { Length: > 0 } value)
            {
                throw new TransmitterException($"The token endpoint {endpoint} answered without an access_token.");
            }

            // RFC 6749 §5.1: expires_in is only RECOMMENDED; without it, ask again in a few minutes.
            var lifetime = root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, 86400))
                : TimeSpan.FromMinutes(5);
            _token = ("Bearer " + value, now + (lifetime * 0.8));
            return _token.Value.Header;
        }
        catch (JsonException ex)
        {
            throw new TransmitterException("The token endpoint answered with a body that is not JSON.", ex);
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>RFC 9110 §10.2.3: seconds or a date.</summary>
    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The start of the transmitter's error body (RFC 9457 or OAuth JSON, usually), for the operator.</summary>
    private static string Detail(string text) => text.Length == 0 ? "" : ": " + (text.Length > 300 ? text[..300] + "..." : text);

    private static string WithStreamId(string url, string streamId) =>
        $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}stream_id={Uri.EscapeDataString(streamId)}";
}
