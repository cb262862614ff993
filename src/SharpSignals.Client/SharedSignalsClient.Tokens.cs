using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SharpSignals.Client;

public sealed partial class SharedSignalsClient
{
    /// <summary>The token endpoint: the options' one, else <c>/oauth/token</c> under the issuer.</summary>
    public string TokenEndpointUrl => Options.TokenEndpoint
        ?? (Options.Issuer is { } issuer ? issuer.TrimEnd('/') + "/oauth/token" : "oauth/token");

    /// <summary>
    /// Asks the token endpoint for an access token with the client credentials grant (RFC 6749 §4.4),
    /// authenticating as the options say; the token is not cached here (see <see cref="AuthorizationAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="SharedSignalsClientException">The endpoint could not be reached, refused the client, or answered without a Bearer token.</exception>
    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken = default)
    {
        var clientId = Options.ClientId ?? throw new InvalidOperationException("The options name no ClientId.");
        var secret = Options.ClientSecret ?? "";
        var endpoint = TokenEndpointUrl;
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (Options.Scope is { Length: > 0 } scope)
        {
            form["scope"] = scope;
        }

        if (Options.ClientAuthentication == ClientAuthenticationMethod.ClientSecretPost)
        {
            form["client_id"] = clientId;
            form["client_secret"] = secret;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Resolve(endpoint)) { Content = new FormUrlEncodedContent(form) };
        if (Options.ClientAuthentication == ClientAuthenticationMethod.ClientSecretBasic)
        {
            // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }

        request.Headers.Accept.Add(AcceptJson);
        var (_, text, response) = await ExchangeAsync(request, "get an access token", Options.Timeout, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var refused = Refused("get an access token", HttpMethod.Post, request.RequestUri!, response, text);
                throw new SharedSignalsClientException($"The token endpoint {endpoint} refused client '{clientId}': HTTP {refused.Status}{(refused.Error is { } error ? $" ({error})" : "")}")
                {
                    Method = refused.Method,
                    RequestUri = refused.RequestUri,
                    Status = refused.Status,
                    Problem = refused.Problem,
                    Error = refused.Error,
                    Description = refused.Description,
                    RetryAfter = refused.RetryAfter,
                    Challenge = refused.Challenge,
                    ResponseBody = text,
                };
            }
        }

        TokenResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize(text, ClientJsonContext.Default.TokenResponse);
        }
        catch (JsonException ex)
        {
            throw new SharedSignalsClientException($"The token endpoint {endpoint} could not be used: {ex.Message}", ex);
        }

        if (answer?.AccessToken is not { Length: > 0 } accessToken)
        {
            throw new SharedSignalsClientException($"The token endpoint {endpoint} answered without an access_token.");
        }

        if (answer.TokenType is { } type && !string.Equals(type, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new SharedSignalsClientException($"The token endpoint {endpoint} issued a {type} token; only Bearer tokens can be used.");
        }

        return new AccessToken(accessToken, answer.ExpiresIn is > 0 ? TimeSpan.FromSeconds(answer.ExpiresIn.Value) : null, answer.Scope);
    }
}
