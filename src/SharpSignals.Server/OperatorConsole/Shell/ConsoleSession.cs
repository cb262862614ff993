using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using SharpSignals.Server.Auth;

namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>
/// The console's sign-in session: an ASP.NET Core cookie (Data Protection encrypts and signs it),
/// <c>HttpOnly</c>, <c>Secure</c> and <c>SameSite=Strict</c>, scoped to <c>/console</c>, so no token is
/// ever in the page, local storage or a URL. It ends after the idle or the maximum time, on sign-out,
/// and when the admin token it was opened with is replaced.
/// </summary>
internal static class ConsoleSession
{
    public const string Scheme = "Console";

    public const string Policy = "Console";

    public const string CookieName = "sharpsignals.console";

    public const string BasePath = "/console";

    public const string SignInPath = BasePath + "/signin";

    private const string AdminTokenClaim = "console.admin_token";

    private const string OpenedAtClaim = "console.opened_at";

    /// <summary>The identity provider a user signed in through, by its display name.</summary>
    private const string ProviderClaim = "console.provider";

    /// <summary>A session for the holder of the admin token: every project, as the token itself.</summary>
    public static ClaimsPrincipal ForAdminToken(string fingerprint, DateTimeOffset now) =>
        new(new ClaimsIdentity(
            [
                new(ClaimTypes.NameIdentifier, "admin-token"),
                new(ClaimTypes.Name, "admin token"),
                new(CallerClaims.ScopeClaim, Scopes.Admin),
                new(CallerClaims.ProjectClaim, CallerClaims.DefaultProject),
                new(AdminTokenClaim, fingerprint),
                OpenedAt(now),
            ],
            Scheme));

    /// <summary>
    /// A session for a user the identity provider signed in (SignIn/ConsoleOpenIdConnect): every
    /// project for an admin (<paramref name="project"/> null), as the admin token, or one project.
    /// </summary>
    public static ClaimsPrincipal ForProviderUser(string subject, string name, string provider, string? project, DateTimeOffset now) =>
        new(new ClaimsIdentity(
            [
                new(ClaimTypes.NameIdentifier, subject),
                new(ClaimTypes.Name, name),
                new(ProviderClaim, provider),
                .. project is null
                    ? [new(CallerClaims.ScopeClaim, Scopes.Admin), new Claim(CallerClaims.ProjectClaim, CallerClaims.DefaultProject)]
                    : new[] { new Claim(CallerClaims.ProjectClaim, project) },
                OpenedAt(now),
            ],
            Scheme));

    /// <summary>How the header names who is signed in: "admin token", or the user and their provider.</summary>
    public static string Describe(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Name) is not { } name ? "operator"
        : user.FindFirstValue(ProviderClaim) is { } provider ? $"{provider} account {name}"
        : name;

    private static Claim OpenedAt(DateTimeOffset now) =>
        new(OpenedAtClaim, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void Configure(CookieAuthenticationOptions cookie, ConsoleOptions options)
    {
        cookie.Cookie.Name = CookieName;
        cookie.Cookie.Path = BasePath;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.ExpireTimeSpan = TimeSpan.FromMinutes(options.SessionIdleMinutes);
        cookie.SlidingExpiration = true;
        cookie.LoginPath = SignInPath;
        cookie.LogoutPath = BasePath + "/signout";
        cookie.AccessDeniedPath = SignInPath;
        cookie.ReturnUrlParameter = "return";
        cookie.Events.OnValidatePrincipal = context => ValidateAsync(context, options);
    }

    /// <summary>Ends a session past its maximum age, or opened with an admin token that is no longer the admin token.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context, ConsoleOptions options)
    {
        var principal = context.Principal!;
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var opened = long.TryParse(principal.FindFirstValue(OpenedAtClaim), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        var tokenStillCurrent = principal.FindFirstValue(AdminTokenClaim) is not { } fingerprint
            || string.Equals(fingerprint, context.HttpContext.RequestServices.GetRequiredService<AdminToken>().Fingerprint, StringComparison.Ordinal);
        if (now - opened > TimeSpan.FromMinutes(options.SessionMaxMinutes) || !tokenStillCurrent)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
