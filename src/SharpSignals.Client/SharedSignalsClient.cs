using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Client;

/// <summary>
/// A client of an SSF transmitter (OpenID SSF 1.0) and of a SharpSignals server: discovery, the
/// client credentials grant, stream management, status, subjects, verification, RFC 8936 polling and
/// <c>POST /events</c>. It sends through the <see cref="HttpClient"/> it is given, so the host decides
/// the handler (pooling, proxies, an outbound address guard). Every failure is a
/// <see cref="SharedSignalsClientException"/>; a cancellation the caller asked for stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed partial class SharedSignalsClient
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly AccessTokenCache _tokens;

    /// <summary>Creates a client over <paramref name="http"/>.</summary>
    /// <param name="http">Sends the requests; its handler and time-out are the caller's.</param>
    /// <param name="options">Where the transmitter is and how to authenticate.</param>
    /// <param name="time">The clock for token lifetimes; the system clock when null.</param>
    /// <param name="tokens">Access tokens shared between clients; one of this client's own when null.</param>
    public SharedSignalsClient(HttpClient http, SharedSignalsClientOptions options, TimeProvider? time = null, AccessTokenCache? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        Options = options;
        _time = time ?? TimeProvider.System;
        _tokens = tokens ?? new AccessTokenCache();
    }

    /// <summary>Creates a client for <c>AddSharedSignalsClient</c>: the factory's HttpClient, the configured options, the shared tokens.</summary>
    /// <param name="http">The HttpClient from the factory.</param>
    /// <param name="options">The configured options.</param>
    /// <param name="tokens">Access tokens shared by every client resolved.</param>
    /// <param name="time">The clock; the system clock when none is registered.</param>
    [ActivatorUtilitiesConstructor]
    public SharedSignalsClient(HttpClient http, IOptions<SharedSignalsClientOptions> options, AccessTokenCache tokens, TimeProvider? time = null)
        : this(http, (options ?? throw new ArgumentNullException(nameof(options))).Value, time, tokens)
    {
    }

    /// <summary>The options this client was created with.</summary>
    public SharedSignalsClientOptions Options { get; }

    /// <summary>
    /// The transmitter's metadata, once discovered or set; its endpoints are used for every call. While
    /// null, a SharpSignals server's paths under the issuer are used.
    /// </summary>
    public TransmitterMetadata? Metadata { get; set; }

    /// <summary>
    /// Sends one request with this client's credential, and once more with a renewed one when the
    /// transmitter answers 401 to an access token (RFC 6750 §3.1).
    /// </summary>
    /// <param name="request">What to send.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The 2xx answer.</returns>
    /// <exception cref="SharedSignalsClientException">No answer in time, the network failed, or the answer was not 2xx.</exception>
    public async Task<SharedSignalsResponse> SendAsync(SharedSignalsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = Resolve(request.Url);
        var content = request.Body is { } body ? Encoding.UTF8.GetBytes(WithoutNulls(body).ToJsonString()) : request.Utf8Body;
        var authorization = request.Authorization ?? (request.Anonymous ? null : await AuthorizationAsync(renew: false, cancellationToken).ConfigureAwait(false));
        var renewable = request.Authorization is null && !request.Anonymous && authorization is not null && Options.AuthorizationHeader is null;
        while (true)
        {
            using var message = new HttpRequestMessage(request.Method, url);
            if (content is not null)
            {
                message.Content = new ByteArrayContent(content);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            if (authorization is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            message.Headers.Accept.Add(AcceptJson);
            var (status, text, response) = await ExchangeAsync(message, request.Action, request.Timeout ?? Options.Timeout, cancellationToken).ConfigureAwait(false);
            using (response)
            {
                if (status == (int)HttpStatusCode.Unauthorized && renewable)
                {
                    renewable = false;
                    var renewed = await AuthorizationAsync(renew: true, cancellationToken).ConfigureAwait(false);
                    if (renewed is not null && renewed != authorization)
                    {
                        authorization = renewed;
                        continue;
                    }
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw Refused(request.Action, request.Method, url, response, text);
                }

                return new SharedSignalsResponse(status, text);
            }
        }
    }

    /// <summary>
    /// The <c>Authorization</c> header value this client sends: the fixed one, the application's, or
    /// an access token by the client credentials grant, cached until shortly before it expires.
    /// </summary>
    /// <param name="renew">Drops a cached access token first (the transmitter refused it).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The header value, or null when the client has no credential.</returns>
    /// <exception cref="SharedSignalsClientException">The token endpoint could not be used.</exception>
    public async ValueTask<string?> AuthorizationAsync(bool renew, CancellationToken cancellationToken = default)
    {
        if (Options.AuthorizationHeader is { } header)
        {
            return header;
        }

        if (Options.Authorization is { } authorization)
        {
            return await authorization(renew, cancellationToken).ConfigureAwait(false);
        }

        if (Options.ClientId is not { } clientId || Options.ClientSecret is not { } secret)
        {
            return null;
        }

        var token = await _tokens.GetAsync(TokenEndpointUrl, clientId, secret, renew, _time, RequestTokenAsync, cancellationToken).ConfigureAwait(false);
        return "Bearer " + token;
    }

    /// <summary>GETs a public document (metadata, a JWKS) without credentials.</summary>
    /// <param name="url">The document's URL.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The document as text.</returns>
    /// <exception cref="SharedSignalsClientException">The document could not be read.</exception>
    public async Task<string> GetDocumentAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var answer = await SendAsync(new SharedSignalsRequest(HttpMethod.Get, url.ToString()) { Anonymous = true, Action = "read the document" }, cancellationToken).ConfigureAwait(false);
        return answer.Body;
    }

    private async Task<(int Status, string Text, HttpResponseMessage Response)> ExchangeAsync(HttpRequestMessage message, string? action, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(message, deadline.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, text, response);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            var what = ex is OperationCanceledException && deadline.IsCancellationRequested && timeout is { } t
                ? $"no answer within {t.TotalSeconds:0.###} s"
                : ex.Message;
            throw new SharedSignalsClientException($"Could not {action ?? "call the transmitter"}: {message.Method} {message.RequestUri} failed: {what}", ex)
            {
                Method = message.Method.Method,
                RequestUri = message.RequestUri,
            };
        }
    }

    /// <summary>The exception for a non-2xx answer, with what the transmitter said in it.</summary>
    private SharedSignalsClientException Refused(string? action, HttpMethod method, Uri url, HttpResponseMessage response, string text)
    {
        var said = ErrorBody.Read(text);
        return new SharedSignalsClientException($"Could not {action ?? "call the transmitter"}: {method} {url} answered HTTP {(int)response.StatusCode}{Phrase(said.Said ?? (said.IsJson ? null : text))}.")
        {
            Method = method.Method,
            RequestUri = url,
            Status = (int)response.StatusCode,
            Problem = said.Problem,
            Error = said.Error,
            Description = said.Description,
            RetryAfter = RetryAfter(response.Headers.RetryAfter),
            Challenge = response.Headers.WwwAuthenticate.FirstOrDefault()?.Parameter,
            ResponseBody = text,
        };
    }

    /// <summary>RFC 9110 §10.2.3: seconds or a date.</summary>
    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > _time.GetUtcNow() ? date - _time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };

    private static string Phrase(string? said) =>
        string.IsNullOrWhiteSpace(said) ? "" : ": " + (said.Length > 300 ? said[..300] + "..." : said);

    /// <summary>A relative URL resolves against the issuer (or the HttpClient's base address).</summary>
    private Uri Resolve(string url)
    {
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);
        if (uri.IsAbsoluteUri)
        {
            return uri;
        }

        var root = Options.BaseAddress ?? _http.BaseAddress
            ?? throw new InvalidOperationException($"'{url}' is relative, and neither the options name an issuer nor the HttpClient has a base address.");
        return new Uri(root, uri);
    }

    /// <summary>Optional members built as null are left out of the request rather than sent as JSON null.</summary>
    private static JsonNode WithoutNulls(JsonNode body)
    {
        if (body is JsonObject json && json.Any(p => p.Value is null))
        {
            var copy = (JsonObject)json.DeepClone();
            foreach (var name in copy.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                copy.Remove(name);
            }

            return copy;
        }

        return body;
    }

    /// <summary>Reads an answer as JSON; one that is not is a failure of the call.</summary>
    private static JsonNode? Json(SharedSignalsResponse answer, string url)
    {
        try
        {
            return answer.Json();
        }
        catch (JsonException ex)
        {
            throw new SharedSignalsClientException($"{url} answered HTTP {answer.Status} with a body that is not JSON.", ex);
        }
    }

    private static string WithQuery(string url, string name, string value) =>
        $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{name}={Uri.EscapeDataString(value)}";
}
