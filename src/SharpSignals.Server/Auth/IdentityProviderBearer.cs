using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Auth;

/// <summary>
/// Bearer JWTs from the organisation's identity provider (<see cref="IdentityProviderOptions"/>),
/// checked by ASP.NET Core's JwtBearer handler against the provider's published keys, then turned
/// into the same caller claims the admin token and access tokens give (<see cref="CallerClaims"/>),
/// so the same policies apply. <see cref="BearerTokenHandler"/> forwards a JWT-shaped token here;
/// its own tokens are opaque and never contain a dot.
/// </summary>
internal sealed class IdentityProviderBearer(IOptions<IdentityProviderOptions> provider) : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string SchemeName = "IdentityProvider";

    /// <summary>A provider caller that is not the admin is told apart from registered clients by this prefix on its client id.</summary>
    public const string ClientIdPrefix = "idp:";

    // Asymmetric algorithms only: the provider's keys are public, and a shared secret has no place here.
    public static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>The scheme a request's token goes to: this one for a JWT (RFC 7515 §7.1: three parts), the server's own otherwise.</summary>
    public static string? Select(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/ssf/push", StringComparison.Ordinal)

        // The identity provider speaks for the default tenant only (docs/TENANTS.md).
        && context.Tenant().Length == 0
        && BearerTokenHandler.BearerToken(context.Request) is { } token
        && token.Count(c => c == '.') == 2
            ? SchemeName
            : null;

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != SchemeName)
        {
            return;
        }

        var settings = provider.Value;
        options.Authority = settings.Authority;
        if (!string.IsNullOrWhiteSpace(settings.MetadataAddress))
        {
            options.MetadataAddress = settings.MetadataAddress;
        }

        options.Audience = settings.Audience;

        // https is enforced when the settings are checked at start (IdentityProviderOptionsValidator).
        options.RequireHttpsMetadata = false;

        // Claim names stay as the provider wrote them, so the settings name them as they appear in the token.
        options.MapInboundClaims = false;
        options.TokenValidationParameters.ValidAlgorithms = Algorithms;
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                MapCaller(context, settings);
                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                // The exact RFC 6750 §3 header the server's other tokens get, with descriptions that
                // never echo the token's own values into the header.
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is { } failure
                    ? BearerChallenge.InvalidToken(Describe(failure))
                    : BearerChallenge.Plain;
                return Task.CompletedTask;
            },
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    /// <summary>Admin when the admin claim holds its value; otherwise one project, with the SharpSignals scopes the token grants.</summary>
    private static void MapCaller(TokenValidatedContext context, IdentityProviderOptions settings)
    {
        var token = context.Principal!;
        var grant = IdentityProviderGrant.Of(token, settings);
        List<Claim> claims;
        if (grant.IsAdmin)
        {
            claims = [new(CallerClaims.ScopeClaim, Scopes.Admin), new(CallerClaims.ProjectClaim, CallerClaims.DefaultProject)];
        }
        else
        {
            if (grant.Project is not { } project)
            {
                context.Fail(grant.Refusal!);
                return;
            }

            var caller = token.FindFirstValue("client_id") ?? token.FindFirstValue("azp") ?? token.FindFirstValue("sub");
            if (caller is null)
            {
                context.Fail("The token names no client_id, azp or sub.");
                return;
            }

            // RFC 9068 §2.2.3 "scope"; some providers (Entra ID) write "scp".
            claims = [.. IdentityProviderGrant.Values(token, "scope").Concat(IdentityProviderGrant.Values(token, "scp")).Where(Scopes.Registrable.Contains).Distinct(StringComparer.Ordinal)
                .Select(scope => new Claim(CallerClaims.ScopeClaim, scope))];
            claims.Add(new(CallerClaims.ProjectClaim, project));
            claims.Add(new(CallerClaims.ClientIdClaim, ClientIdPrefix + caller));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    private static string Describe(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token is meant for another audience.",
        SecurityTokenInvalidIssuerException => "The token is from another issuer.",
        SecurityTokenSignatureKeyNotFoundException => "The token is signed with a key the identity provider does not publish.",
        SecurityTokenInvalidAlgorithmException => "The token's algorithm is not accepted.",
        AuthenticationFailureException => failure.Message,
        InvalidOperationException => "The identity provider's keys could not be read; try again shortly.",
        _ => "The token is not valid.",
    };
}
