using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SharpSignals.Server.Http;
using SharpSignals.Server.Tenancy;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> (RFC 6750 §2.1; the header only, never the query): the
/// admin token, an access token issued by <c>/oauth/token</c> or <c>/register</c>, or at a poll
/// endpoint that stream's own credential. Challenges carry the exact RFC 6750 §3
/// <c>WWW-Authenticate</c> header. Under a tenant's path (docs/TENANTS.md) only that tenant's admin token and
/// its clients' tokens are valid: a token of another tenant is an invalid token there.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokenCache accessTokens,
    StreamCredentials streamCredentials,
    AdminToken adminToken,
    TenantRegistry tenants,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private const string FailureKey = "SharpSignals.AuthFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // A push receiver checks its stream's own receive credential, which is no access token.
        var token = Request.Path.StartsWithSegments("/ssf/push", StringComparison.Ordinal) ? null : BearerToken(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var tenant = Context.Tenant();
        if (StreamCredentials.IsStreamCredential(token))
        {
            return await StreamCredentialAsync(token, tenant);
        }

        if (tenant.Length == 0 ? adminToken.Matches(token) : tenants.Find(tenant) is { } owner && TokenHashing.Matches(token, owner.AdminTokenHash))
        {
            return Success(
            [
                new(CallerClaims.ScopeClaim, Scopes.Admin),
                new(CallerClaims.ProjectClaim, TenantProjects.Qualify(tenant, CallerClaims.DefaultProject)),
                new(CallerClaims.TenantClaim, tenant),
            ]);
        }

        var record = await accessTokens.FindAsync(TokenHashing.Hash(token), Context.RequestAborted);
        if (record is null || record.ExpiresAt <= time.GetUtcNow())
        {
            return Fail(record is null ? "The access token is not valid." : "The access token has expired.");
        }

        if (!TenantProjects.Owns(tenant, record.Project))
        {
            return Fail("The access token is not valid for this tenant.");
        }

        var claims = record.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(CallerClaims.ScopeClaim, s)).ToList();
        claims.Add(new(CallerClaims.ProjectClaim, record.Project));
        claims.Add(new(CallerClaims.ClientIdClaim, record.ClientId));
        claims.Add(new(CallerClaims.TenantClaim, tenant));
        return Success(claims);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;

        // RFC 6750 §3.1: a request without credentials gets no error code; a bad token gets invalid_token.
        Response.Headers.WWWAuthenticate = Context.Items[FailureKey] is string description
            ? BearerChallenge.InvalidToken(description)
            : BearerChallenge.Plain;
        return Task.CompletedTask;
    }

    /// <summary>The bearer token of the Authorization header, or null when there is none.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>
    /// A stream credential reads its own stream at <c>POST /ssf/poll/{stream_id}</c> and does nothing
    /// else: anywhere else, or for another stream, it is an invalid token (RFC 6750 §3.1), whatever
    /// scope the endpoint asks for.
    /// </summary>
    private async Task<AuthenticateResult> StreamCredentialAsync(string token, string tenant)
    {
        if (!Request.Path.StartsWithSegments("/ssf/poll", StringComparison.Ordinal, out var rest)
            || rest.Value is not { Length: > 1 } tail || tail.IndexOf('/', 1) >= 0)
        {
            return Fail("A stream credential is accepted only at its own stream's poll and push endpoints.");
        }

        var streamId = tail[1..];
        return await streamCredentials.MatchesAsync(streamId, token, Context.RequestAborted)
            ? Success([new(CallerClaims.ScopeClaim, Scopes.Read), new(CallerClaims.StreamClaim, streamId), new(CallerClaims.TenantClaim, tenant)])
            : Fail("The stream credential is not valid for this stream.");
    }

    private AuthenticateResult Fail(string description)
    {
        Context.Items[FailureKey] = description;
        return AuthenticateResult.Fail(description);
    }

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
}
