using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using SharpSignals.Server.Http;
using SharpSignals.Storage.Clients;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Auth;

/// <summary>Initial access tokens, client registration (RFC 7591) and client credentials (RFC 6749 §4.4).</summary>
internal static class AuthEndpoints
{
    private const string SpentIat = "The initial access token was single-use and has registered its client.";

    /// <summary>Access tokens live an hour (CAEP interoperability profile: short-lived, at most 60 minutes).</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/iat", CreateInitialAccessToken).RequireAuthorization(Scopes.Admin)
            .Reads<InitialAccessTokenRequest>().Produces<InitialAccessTokenResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapPost("/register", Register).AllowAnonymous()
            .Reads<RegistrationRequest>().Produces<RegistrationResponse>(StatusCodes.Status201Created)
            .Produces<OAuthErrorResponse>(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized);
        app.MapPost("/oauth/token", IssueToken).AllowAnonymous().DisableAntiforgery()
            .Reads<TokenRequest>("application/x-www-form-urlencoded").Produces<TokenResponse>()
            .Produces<OAuthErrorResponse>(StatusCodes.Status400BadRequest).Produces<OAuthErrorResponse>(StatusCodes.Status401Unauthorized);
        var admin = app.MapGroup("/admin/clients").RequireAuthorization(Scopes.Admin);
        admin.MapGet("/", ListClients).ReadsQuery("project", "Only this project's clients.").Produces<ClientResponse[]>();
        admin.MapDelete("/{clientId}", RevokeClient).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateInitialAccessToken(HttpRequest request, ClaimsPrincipal caller, IClientStore clients, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var project = body.String("project") ?? CallerClaims.DefaultProject;
        var expiresIn = body.Int64("expires_in") ?? (long)ClientAdministration.DefaultIatLifetime.TotalSeconds;
        var singleUse = body.Boolean("single_use") ?? false;
        if (expiresIn > (long)ClientAdministration.MaxIatLifetime.TotalSeconds)
        {
            body.Errors.Add($"expires_in must be at most {(long)ClientAdministration.MaxIatLifetime.TotalSeconds} seconds (ten years)");
        }

        if (body.Errors.Count > 0 || !ClientAdministration.IsValidIat(project, expiresIn))
        {
            return Problems.BadRequest("The body must be {\"project\": \"<name>\", \"expires_in\": <seconds>, \"single_use\": <boolean>} with a project of letters, digits, '-', '_' or '.' and a positive lifetime.", body.Errors);
        }

        var (token, iat) = await ClientAdministration.CreateIatAsync(clients, time, caller.AdminProject(project), expiresIn, singleUse, cancellationToken);
        return TypedResults.Created((string?)null, new InitialAccessTokenResponse(token, TenantProjects.LocalName(iat.Project), iat.ExpiresAt.ToUnixTimeSeconds(), singleUse));
    }

    private static async Task<IResult> Register(HttpRequest request, IClientStore clients, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = BearerTokenHandler.BearerToken(request);
        var iat = token is null ? null : await clients.FindInitialAccessTokenAsync(TokenHashing.Hash(token), cancellationToken);
        var now = time.GetUtcNow();

        // An IAT registers clients only under its own tenant's path (docs/TENANTS.md).
        if (iat is not null && !TenantProjects.Owns(request.HttpContext.Tenant(), iat.Project))
        {
            iat = null;
        }

        if (iat is null || iat.ExpiresAt <= now || iat.UsedAt is not null)
        {
            var why = iat is null ? "The initial access token is not valid."
                : iat.UsedAt is not null ? SpentIat
                : "The initial access token has expired.";
            return RefuseInitialAccessToken(request, token is null ? null : why);
        }

        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { StatusCode: StatusCodes.Status415UnsupportedMediaType } unsupported)
        {
            // RFC 7591 §3.2.2 defines errors about the metadata; a body that is not JSON at all is
            // refused as on every other JSON endpoint.
            return unsupported;
        }

        if (body.Problem is not null)
        {
            return RegistrationError("invalid_client_metadata", "The body must be a JSON object.");
        }

        var name = body.String("client_name") ?? "";
        var requested = (body.String("scope") ?? string.Join(' ', Scopes.Registrable)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        var refused = requested.Where(s => !Scopes.Registrable.Contains(s)).ToList();
        if (body.Errors.Count > 0 || refused.Count > 0 || requested.Count == 0)
        {
            return RegistrationError("invalid_client_metadata", refused.Count > 0
                ? $"Scopes {string.Join(", ", refused)} cannot be registered; use {string.Join(", ", Scopes.Registrable)}."
                : "client_name and scope must be strings, and scope must not be empty.");
        }

        var scope = string.Join(' ', requested);
        var clientId = "c_" + TokenHashing.NewToken()[..22];
        var secret = TokenHashing.NewToken();
        if (!await clients.RegisterClientAsync(new ClientRecord(clientId, iat.Project, name, TokenHashing.Hash(secret), scope, now), iat.TokenHash, cancellationToken))
        {
            // A concurrent registration spent the single-use token first; this one stored nothing.
            return RefuseInitialAccessToken(request, SpentIat);
        }

        var accessToken = await IssueAccessTokenAsync(clients, clientId, iat.Project, scope, now, cancellationToken);
        return TypedResults.Created((string?)null, new RegistrationResponse(
            clientId, secret, name, scope, TenantProjects.LocalName(iat.Project), accessToken, "Bearer", (long)AccessTokenLifetime.TotalSeconds, now.ToUnixTimeSeconds(), 0, ["client_credentials"], "client_secret_basic"));
    }

    /// <summary>RFC 7591 §3: the initial access token is a bearer token, refused as RFC 6750 §3.1 says; no description without a token.</summary>
    private static UnauthorizedHttpResult RefuseInitialAccessToken(HttpRequest request, string? description)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = description is null ? BearerChallenge.Plain : BearerChallenge.InvalidToken(description);
        return TypedResults.Unauthorized();
    }

    private static async Task<IResult> IssueToken(HttpRequest request, IClientStore clients, TimeProvider time, CancellationToken cancellationToken)
    {
        // RFC 6749 §4.4.2 names application/x-www-form-urlencoded only; multipart is refused, not parsed.
        if (!request.HasFormContentType || !MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "The token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2).");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            // The form reader's answer to a body past its limits (keys, value lengths): RFC 6749 §5.2.
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "The token request body is not a readable form.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only the client_credentials grant is supported.");
        }

        // RFC 6749 §2.3.1: client_secret_basic or client_secret_post, never both.
        var basic = BasicCredentials(request);
        var posted = form.ContainsKey("client_id") || form.ContainsKey("client_secret");
        if (basic is not null && posted)
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "Use one client authentication method, not both.");
        }

        var (clientId, secret) = basic ?? (form["client_id"].ToString(), form["client_secret"].ToString());
        var client = string.IsNullOrEmpty(clientId) ? null : await clients.GetClientAsync(clientId, cancellationToken);
        if (client is null || client.RevokedAt is not null || string.IsNullOrEmpty(secret) || !TokenHashing.Matches(secret, client.SecretHash)
            || !TenantProjects.Owns(request.HttpContext.Tenant(), client.Project))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"sharpsignals\"";
            return OAuthError(StatusCodes.Status401Unauthorized, "invalid_client", "Client authentication failed.");
        }

        var granted = client.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Any(s => !granted.Contains(s)))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_scope", $"The client may request only {client.Scope}.");
        }

        var scope = string.Join(' ', requested.Length > 0 ? requested : granted);
        var now = time.GetUtcNow();
        var token = await IssueAccessTokenAsync(clients, client.ClientId, client.Project, scope, now, cancellationToken);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (long)AccessTokenLifetime.TotalSeconds, scope));
    }

    private static async Task<Ok<ClientResponse[]>> ListClients(HttpRequest request, ClaimsPrincipal caller, IClientStore clients, CancellationToken cancellationToken)
    {
        var project = request.Query["project"].FirstOrDefault() is { } named ? caller.AdminProject(named) : null;
        var list = await clients.ListClientsAsync(project, cancellationToken);
        return TypedResults.Ok(list.Where(c => caller.SharesTenant(c.Project))
            .Select(c => new ClientResponse(c.ClientId, c.Name, TenantProjects.LocalName(c.Project), c.Scope, c.CreatedAt.ToUnixTimeSeconds(), c.RevokedAt?.ToUnixTimeSeconds())).ToArray());
    }

    private static async Task<IResult> RevokeClient(string clientId, ClaimsPrincipal caller, IClientStore clients, AccessTokenCache accessTokens, TimeProvider time, CancellationToken cancellationToken) =>
        await clients.GetClientAsync(clientId, cancellationToken) is { } client && caller.SharesTenant(client.Project)
        && await ClientAdministration.RevokeClientAsync(clients, accessTokens, time, clientId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"There is no active client '{clientId}'.");

    private static async Task<string> IssueAccessTokenAsync(IClientStore clients, string clientId, string project, string scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = TokenHashing.NewToken();
        await clients.StoreAccessTokenAsync(new AccessTokenRecord(TokenHashing.Hash(token), clientId, project, scope, now + AccessTokenLifetime), cancellationToken);
        return token;
    }

    private static (string Id, string Secret)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before the Basic encoding.
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonHttpResult<OAuthErrorResponse> OAuthError(int status, string error, string description) =>
        TypedResults.Json(new OAuthErrorResponse(error, description), AuthJsonContext.Default.OAuthErrorResponse, statusCode: status);

    private static JsonHttpResult<OAuthErrorResponse> RegistrationError(string error, string description) =>
        OAuthError(StatusCodes.Status400BadRequest, error, description);
}
