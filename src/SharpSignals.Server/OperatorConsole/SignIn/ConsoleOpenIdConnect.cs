using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SharpSignals.Server.Auth;
using SharpSignals.Server.OperatorConsole.Shell;

namespace SharpSignals.Server.OperatorConsole.SignIn;

/// <summary>
/// Signing in to the console through the organisation's OpenID Connect provider
/// (<see cref="ConsoleOpenIdConnectOptions"/>), with ASP.NET Core's OpenID Connect handler: the
/// authorization code flow with PKCE (RFC 7636), the code exchanged on the server with the client
/// secret, the ID token's claims read with the <c>SharpSignals:IdentityProvider</c> mapping
/// (<see cref="IdentityProviderGrant"/>) and turned into the console's own cookie session
/// (<see cref="ConsoleSession"/>). A user granted neither the admin role nor one project gets no
/// session.
/// </summary>
internal sealed partial class ConsoleOpenIdConnect(
    IOptions<ConsoleOptions> console,
    IOptions<IdentityProviderOptions> provider,
    ILogger<ConsoleOpenIdConnect> logger) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public const string Scheme = "ConsoleOpenIdConnect";

    /// <summary>The redirect URI to register at the provider is this path on the console's https address.</summary>
    public const string CallbackPath = ConsoleSession.BasePath + "/signin-oidc";

    /// <summary>Why the sign-in page was sent to after the provider: the user is neither admin nor in a project.</summary>
    public const string RefusedNoGrant = "no-grant";

    /// <summary>The user's projects claim names several projects, or an invalid one.</summary>
    public const string RefusedNotOneProject = "not-one-project";

    /// <summary>The flow itself failed: cancelled at the provider, expired, tampered with, or the provider refused.</summary>
    public const string Failed = "failed";

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        var settings = console.Value.OpenIdConnect;
        if (name != Scheme || !settings.Enabled)
        {
            return;
        }

        options.Authority = settings.Authority;
        options.ClientId = settings.ClientId;
        options.ClientSecret = settings.ClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;

        // The provider sends the browser back with a GET (response_mode=query), a top-level
        // navigation that carries SameSite=Lax cookies; form_post would be a cross-site POST, which
        // only SameSite=None cookies survive (RFC 6265bis §5.4.7, OAuth 2.0 Multiple Response Types §2.1).
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;

        options.Scope.Clear();
        foreach (var scope in settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal))
        {
            options.Scope.Add(scope);
        }

        // Every path the handler answers stays under the console's own path.
        options.CallbackPath = CallbackPath;
        options.SignedOutCallbackPath = ConsoleSession.BasePath + "/signout-callback-oidc";
        options.RemoteSignOutPath = ConsoleSession.BasePath + "/signout-oidc";
        options.SignInScheme = ConsoleSession.Scheme;
        options.SignOutScheme = ConsoleSession.Scheme;

        // https is enforced when the settings are checked at start (ConsoleOpenIdConnectValidator).
        options.RequireHttpsMetadata = false;

        // Claim names stay as the provider wrote them, so the IdentityProvider mapping names them as
        // they appear in the ID token; the token itself is not kept.
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.DisableTelemetry = true;
        options.TokenValidationParameters.ValidAlgorithms = IdentityProviderBearer.Algorithms;
        options.TokenValidationParameters.NameClaimType = "name";
        options.Events = new OpenIdConnectEvents
        {
            OnMessageReceived = context => KeepToConsolePort(context, console.Value.Port),
            OnTokenValidated = context =>
            {
                OpenSession(context, settings.ProviderName);
                return Task.CompletedTask;
            },
            OnRemoteFailure = context =>
            {
                LogFailed(logger, context.Failure?.Message ?? "unknown");
                context.Response.Redirect(SignInWith(Failed));
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    public void Configure(OpenIdConnectOptions options) => Configure(Options.DefaultName, options);

    /// <summary>
    /// The handler is registered in any case (services are added before the settings are read) and
    /// its scheme dropped here, before the first request, when sign-in through a provider is off, so
    /// that it never answers one.
    /// </summary>
    public static void DropUnlessEnabled(IServiceProvider services, ConsoleOptions options)
    {
        if (!options.Enabled || !options.OpenIdConnect.Enabled)
        {
            services.GetRequiredService<IAuthenticationSchemeProvider>().RemoveScheme(Scheme);
        }
    }

    /// <summary>The sign-in page, telling why there is no session.</summary>
    private static string SignInWith(string refusal) => ConsoleSession.SignInPath + "?refused=" + refusal;

    /// <summary>The callback is the console's too: 404 on any port but the console's (<c>SharpSignals:Console:Port</c>).</summary>
    private static Task KeepToConsolePort(MessageReceivedContext context, int? port)
    {
        if (port is { } only && context.HttpContext.Connection.LocalPort != only)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.HandleResponse();
        }

        return Task.CompletedTask;
    }

    /// <summary>Replaces the ID token's claims with the console session's, or sends the user back to the sign-in page with no session.</summary>
    private void OpenSession(TokenValidatedContext context, string providerName)
    {
        var token = context.Principal!;
        var subject = token.FindFirstValue("sub") ?? "";
        var grant = IdentityProviderGrant.Of(token, provider.Value);
        if (grant.Refusal is { } refusal)
        {
            LogRefused(logger, subject, refusal);
            context.Response.Redirect(SignInWith(grant.Projects.Count == 0 ? RefusedNoGrant : RefusedNotOneProject));
            context.HandleResponse();
            return;
        }

        var name = token.FindFirstValue("name") ?? token.FindFirstValue("email") ?? token.FindFirstValue("preferred_username") ?? subject;
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        context.Principal = ConsoleSession.ForProviderUser(subject, name, providerName, grant.Project, now);
        LogSignedIn(logger, subject, grant.Project ?? "every project");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console sign-in through the identity provider: {Subject} sees {Project}")]
    private static partial void LogSignedIn(ILogger logger, string subject, string project);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in through the identity provider refused for {Subject}: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string subject, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in through the identity provider failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
