using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.OperatorConsole.Shell;

namespace SharpSignals.Server.OperatorConsole.SignIn;

/// <summary>
/// Signing in to the console with the admin token, pasted once into a form and exchanged for the
/// session cookie (<see cref="ConsoleSession"/>), or through the organisation's identity provider
/// when one is configured (<see cref="ConsoleOpenIdConnect"/>); and signing out.
/// </summary>
internal static class SignInEndpoints
{
    public static RouteGroupBuilder MapConsoleSignIn(this RouteGroupBuilder console)
    {
        console.MapGet("/signin", ShowSignIn).AllowAnonymous();
        console.MapPost("/signin", SignInAsync).AllowAnonymous();
        console.MapGet("/signin/provider", SignInWithProvider).AllowAnonymous();
        console.MapGet("/signin/continue", (string? @return) => ConsoleResults.Page<ContinuePage>(new { Return = SafeReturn(@return) })).AllowAnonymous();
        console.MapPost("/signout", (Delegate)SignOutAsync).AllowAnonymous();
        return console;
    }

    private static async Task<IResult> ShowSignIn(HttpContext http, string? @return, string? refused)
    {
        if ((await http.AuthenticateAsync(ConsoleSession.Scheme)).Succeeded)
        {
            return Results.Redirect(SafeReturn(@return));
        }

        // Why the identity provider's sign-in opened no session (ConsoleOpenIdConnect): a fixed code, never text from the URL.
        if (ProviderName(http) is not { } provider)
        {
            return Page(http, @return, error: null);
        }

        return refused switch
        {
            ConsoleOpenIdConnect.RefusedNoGrant => Page(http, @return, $"{provider} signed you in, but your account is neither a console administrator nor in a project, so no session was opened. Ask whoever runs SharpSignals to grant your account the admin role or a project.", StatusCodes.Status403Forbidden),
            ConsoleOpenIdConnect.RefusedNotOneProject => Page(http, @return, $"{provider} signed you in, but your account names several projects (or a project name that is not valid here), and a console session shows one project, so none was opened. Ask whoever runs SharpSignals to leave your account one project.", StatusCodes.Status403Forbidden),
            ConsoleOpenIdConnect.Failed => Page(http, @return, $"Signing in with {provider} did not complete (it was cancelled, took too long or was refused), so no session was opened. Try again.", StatusCodes.Status401Unauthorized),
            _ => Page(http, @return, error: null),
        };
    }

    /// <summary>
    /// Sends the browser to the identity provider (authorization code flow with PKCE). It comes back
    /// to <see cref="ConsoleOpenIdConnect.CallbackPath"/>, then to the continue page, which moves on
    /// to the console by itself. A link, not a form: the console's Content-Security-Policy
    /// (<c>form-action 'self'</c>) rightly stops a form's answer from redirecting to another site, and
    /// starting a sign-in changes nothing here (the correlation cookie ties the callback to this browser).
    /// </summary>
    private static IResult SignInWithProvider(HttpContext http, IOptions<ConsoleOptions> options, string? @return)
    {
        if (!options.Value.OpenIdConnect.Enabled)
        {
            return ConsoleResults.NotFound(http, "identity provider sign-in");
        }

        var continuePath = ConsoleSession.SignInPath + "/continue?return=" + Uri.EscapeDataString(SafeReturn(@return));
        return Results.Challenge(new AuthenticationProperties { RedirectUri = continuePath }, [ConsoleOpenIdConnect.Scheme]);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, AdminToken adminToken, TimeProvider time)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var token = form["token"].ToString().Trim();
        var back = form["return"].ToString();
        if (token.Length == 0 || !adminToken.Matches(token) || adminToken.Fingerprint is not { } fingerprint)
        {
            return Page(http, back, token.Length == 0 ? "Paste the admin token to sign in." : "That is not the admin token.", StatusCodes.Status401Unauthorized);
        }

        await http.SignInAsync(ConsoleSession.Scheme, ConsoleSession.ForAdminToken(fingerprint, time.GetUtcNow()));
        return Results.Redirect(SafeReturn(back));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(ConsoleSession.Scheme);
        return ConsoleNotice.RedirectWith(http, ConsoleSession.SignInPath, "Signed out.");
    }

    private static IResult Page(HttpContext http, string? back, string? error, int status = StatusCodes.Status200OK) =>
        ConsoleResults.Page<SignInPage>(
            new
            {
                Page = ConsolePage.For(http),
                Return = SafeReturn(back),
                Error = error,
                Provider = ProviderName(http),
                InsecureTransport = !http.Request.IsHttps && !System.Net.IPAddress.IsLoopback(http.Connection.RemoteIpAddress ?? System.Net.IPAddress.None),
            },
            status);

    /// <summary>The identity provider's name when console sign-in through it is configured; null otherwise.</summary>
    private static string? ProviderName(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.OpenIdConnect is { Enabled: true } provider ? provider.ProviderName : null;

    /// <summary>Only a console page of this server, so that the sign-in form cannot send anyone elsewhere.</summary>
    public static string SafeReturn(string? back) =>
        back is { Length: > 0 } path
        && path.StartsWith(ConsoleSession.BasePath, StringComparison.Ordinal)
        && (path.Length == ConsoleSession.BasePath.Length || path[ConsoleSession.BasePath.Length] is '/' or '?')
        && !path.Contains('\\', StringComparison.Ordinal)
        && !path.Contains("//", StringComparison.Ordinal)
        && !path.Any(char.IsControl)
            ? path
            : ConsoleSession.BasePath;
}
