using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Servers;

namespace SharpSignals.Cli.Http;

/// <summary>
/// The one client of a SharpSignals server's HTTP contract (docs/API.md). Answers come back as JSON
/// nodes so that <c>--json</c> prints exactly what the server said; errors become <see cref="CliException"/>s.
/// A client profile's access token is obtained with client credentials, cached in the credentials
/// file, and renewed once when it has expired or the server refuses it.
/// </summary>
internal sealed partial class SsfApi : IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly ProfileStore _store;
    private readonly TimeProvider _time;
    private Credential? _credential;
    private bool _renewed;

    public SsfApi(ServerProfile profile, ProfileStore store, CliEnvironment environment)
    {
        Profile = profile;
        _store = store;
        _time = environment.Time;
        _credential = profile.Credential;
        _http = new HttpClient(environment.Handler ?? new SocketsHttpHandler(), disposeHandler: environment.Handler is null)
        {
            BaseAddress = profile.BaseUrl,
            Timeout = environment.RequestTimeout,
        };
    }

    public ServerProfile Profile { get; }

    public Credential? Credential => _credential;

    public void Dispose() => _http.Dispose();

    /// <summary>The bearer token this profile sends: the admin token, or a current access token for the client.</summary>
    public async Task<string> AccessTokenAsync(bool renew, CancellationToken cancellationToken)
    {
        var credential = _credential
            ?? throw new CliException($"profile '{Profile.Name}' is not logged in: run `ssf login`", ExitCodes.Unauthorized);
        if (credential.IsAdmin)
        {
            return credential.Token ?? throw new CliException($"profile '{Profile.Name}' has no admin token: run `ssf login`", ExitCodes.Unauthorized);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!renew && credential.AccessToken is { } cached && credential.AccessTokenExpiresAt > now + (long)RenewBefore.TotalSeconds)
        {
            return cached;
        }

        var answer = await RequestTokenAsync(credential.ClientId ?? "", credential.ClientSecret ?? "", cancellationToken);
        _credential = credential with
        {
            AccessToken = answer.AccessToken,
            AccessTokenExpiresAt = now + answer.ExpiresIn,
            Scope = answer.Scope ?? credential.Scope,
        };
        _store.SaveCredential(Profile.Name, _credential);
        return answer.AccessToken;
    }

    /// <summary>RFC 6749 §4.4 client credentials (client_secret_post).</summary>
    public async Task<TokenAnswer> RequestTokenAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        });
        using var response = await _http.PostAsync(new Uri("oauth/token", UriKind.Relative), form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest)
        {
            var refused = ApiErrors.From(response.StatusCode, body, Profile.Name, "POST", "/oauth/token");
            throw new CliException($"the server refused the client credentials of '{clientId}' ({refused.Message}); check them and run `ssf login` again", ExitCodes.Unauthorized);
        }

        var json = Parse(response, body, "POST", "oauth/token") as JsonObject ?? throw new CliException("the token endpoint answered without a token");
        return new TokenAnswer(
            Text(json, "access_token") ?? throw new CliException("the token endpoint answered without access_token"),
            json["expires_in"]?.GetValue<long>() ?? 3600,
            Text(json, "scope"));
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, Authentication authentication = Authentication.Profile, string? bearer = null)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(WithoutNulls(body).ToJsonString(), Encoding.UTF8, "application/json");
            }

            var token = authentication switch
            {
                Authentication.Bearer => bearer,
                Authentication.Profile => await AccessTokenAsync(renew: false, cancellationToken),
                _ => null,
            };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);

            // A cached access token may have been revoked or may have expired early: renew it once.
            if (response.StatusCode == HttpStatusCode.Unauthorized && authentication == Authentication.Profile
                && _credential is { IsAdmin: false } && !_renewed)
            {
                _renewed = true;
                await AccessTokenAsync(renew: true, cancellationToken);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && authentication == Authentication.Bearer)
            {
                var refused = ApiErrors.From(response.StatusCode, text, Profile.Name, method.Method, path);
                throw new CliException("the server refused the token given (401" + Detail(response) + ")", refused.ExitCode);
            }

            return Parse(response, text, method.Method, path);
        }
    }

    private JsonNode? Parse(HttpResponseMessage response, string text, string method, string path)
    {
        if (!response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } wait)
            {
                throw new CliException($"too many requests (429): try again in {wait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
            }

            throw ApiErrors.From(response.StatusCode, text, Profile.Name, method, "/" + path);
        }

        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    private static string Detail(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.FirstOrDefault()?.Parameter is { } parameter ? ": " + parameter : "";

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Optional members are built as null and left out of the request rather than sent as JSON null.</summary>
    private static JsonNode WithoutNulls(JsonNode body)
    {
        if (body is JsonObject json)
        {
            foreach (var name in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                json.Remove(name);
            }
        }

        return body;
    }

    private static string Query(string value) => Uri.EscapeDataString(value);

    /// <summary><c>?a=1&amp;b=2</c> of the pairs with a value, or "" when none has one.</summary>
    private static string QueryString(IEnumerable<(string Name, string? Value)> pairs)
    {
        var set = pairs.Where(p => p.Value is not null).Select(p => $"{p.Name}={Query(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join('&', set);
    }

    private enum Authentication
    {
        Profile,
        Bearer,
        None,
    }
}
