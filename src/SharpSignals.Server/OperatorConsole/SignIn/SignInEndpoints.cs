using Microsoft.AspNetCore.Authentication;
using SharpSignals.Server.Auth;
using SharpSignals.Server.OperatorConsole.Shell;

namespace SharpSignals.Server.OperatorConsole.SignIn;

/// <summary>
/// Signing in to the console with the admin token, pasted once into a form and exchanged for the
/// session cookie (<see cref="ConsoleSession"/>), and signing out.
/// </summary>
internal static class SignInEndpoints
{
    public static RouteGroupBuilder MapConsoleSignIn(this RouteGroupBuilder console)
    {
        console.MapGet("/signin", ShowSignIn).AllowAnonymous();
        console.MapPost("/signin", SignInAsync).AllowAnonymous();
        console.MapPost("/signout", (Delegate)SignOutAsync).AllowAnonymous();
        return console;
    }

    private static async Task<IResult> ShowSignIn(HttpContext http, string? @return)
    {
        if ((await http.AuthenticateAsync(ConsoleSession.Scheme)).Succeeded)
        {
            return Results.Redirect(SafeReturn(@return));
        }

        return Page(http, @return, error: null);
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
                InsecureTransport = !http.Request.IsHttps && !System.Net.IPAddress.IsLoopback(http.Connection.RemoteIpAddress ?? System.Net.IPAddress.None),
            },
            status);

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
