using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Servers;
using SharpSignals.Cli.Shell;
using SharpSignals.Client;

namespace SharpSignals.Cli.Http;

/// <summary>
/// The tool's view of a SharpSignals server (docs/API.md), over <see cref="SharedSignalsClient"/>.
/// Answers come back as JSON nodes so that <c>--json</c> prints exactly what the server said; errors
/// become <see cref="CliException"/>s. A client profile's access token is obtained with client
/// credentials, cached in the credentials file, and renewed once when it has expired or the server
/// refuses it.
/// </summary>
internal sealed partial class SsfApi : IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly SharedSignalsClient _client;
    private readonly ProfileStore _store;
    private readonly TimeProvider _time;
    private Credential? _credential;

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

        // The HttpClient's time-out alone, so that a late answer is reported as the tool's own.
        _client = new SharedSignalsClient(_http, new SharedSignalsClientOptions
        {
            Authorization = async (renew, cancellationToken) => "Bearer " + await AccessTokenAsync(renew, cancellationToken),
            Timeout = null,
        }, _time);
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
        var tokens = new SharedSignalsClient(_http, new SharedSignalsClientOptions
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost,
            TokenEndpoint = "oauth/token",
            Timeout = null,
        }, _time);
        try
        {
            var token = await tokens.RequestTokenAsync(cancellationToken);
            return new TokenAnswer(token.Value, token.ExpiresIn is { } lifetime ? (long)lifetime.TotalSeconds : 3600, token.Scope);
        }
        catch (SharedSignalsClientException ex) when (ex.Status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.BadRequest)
        {
            var refused = ApiErrors.From(ex, Profile.Name);
            throw new CliException($"the server refused the client credentials of '{clientId}' ({refused.Message}); check them and run `ssf login` again", ExitCodes.Unauthorized);
        }
        catch (SharedSignalsClientException ex)
        {
            throw Translate(ex, given: false);
        }
    }

    /// <summary>A call of the client, its failures in the tool's words.</summary>
    private async Task<JsonNode?> CallAsync(Func<SharedSignalsClient, Task<JsonNode?>> call)
    {
        try
        {
            return await call(_client);
        }
        catch (SharedSignalsClientException ex)
        {
            throw Translate(ex, given: false);
        }
    }

    /// <summary>A call of the client whose answer the tool does not show.</summary>
    private Task<JsonNode?> CallAsync(Func<SharedSignalsClient, Task> call) =>
        CallAsync(async client =>
        {
            await call(client);
            return null;
        });

    /// <summary>A request of the server's own API (administration, registration), with the profile's token, none, or the one given.</summary>
    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, Authentication authentication = Authentication.Profile, string? bearer = null) =>
        CallAsync(async client =>
        {
            var request = new SharedSignalsRequest(method, path)
            {
                Body = body,
                Anonymous = authentication == Authentication.None,
                Authorization = authentication == Authentication.Bearer ? "Bearer " + bearer : null,
            };
            try
            {
                return (await client.SendAsync(request, cancellationToken)).Json();
            }
            catch (SharedSignalsClientException ex) when (ex.Status == (int)HttpStatusCode.Unauthorized && authentication == Authentication.Bearer)
            {
                throw Translate(ex, given: true);
            }
        });

    /// <summary>
    /// The tool's error for a failed call: a network failure, a late answer and an answer that is not
    /// JSON are thrown as they came (the shell words them), a refusal becomes one line.
    /// </summary>
    private Exception Translate(SharedSignalsClientException ex, bool given)
    {
        if (ex.InnerException is HttpRequestException or OperationCanceledException or JsonException)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
        }

        if (ex.Status == (int)HttpStatusCode.TooManyRequests && ex.RetryAfter is { } wait)
        {
            return new CliException($"too many requests (429): try again in {wait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
        }

        var refused = ApiErrors.From(ex, Profile.Name);
        return given && ex.Status == (int)HttpStatusCode.Unauthorized
            ? new CliException("the server refused the token given (401" + (ex.Challenge is { } challenge ? ": " + challenge : "") + ")", refused.ExitCode)
            : refused;
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
