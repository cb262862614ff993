namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>
/// What a change did, shown once on the page it redirects to (post, redirect, get): kept for one
/// request in a short-lived cookie of the console's path, so it is never in a URL that someone else
/// could craft.
/// </summary>
internal static class ConsoleNotice
{
    private const string CookieName = "sharpsignals.notice";

    /// <summary>Redirects to <paramref name="path"/> (a console path) and shows <paramref name="message"/> there.</summary>
    public static IResult RedirectWith(HttpContext http, string path, string message)
    {
        http.Response.Cookies.Append(CookieName, Uri.EscapeDataString(message), new CookieOptions
        {
            Path = ConsoleSession.BasePath,
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Strict,
            MaxAge = TimeSpan.FromMinutes(1),
        });
        return Results.Redirect(path);
    }

    /// <summary>The notice left for this request, removed so that it shows once.</summary>
    public static string? Take(HttpContext http)
    {
        if (http.Request.Cookies[CookieName] is not { Length: > 0 } value)
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = ConsoleSession.BasePath, Secure = true, SameSite = SameSiteMode.Strict });
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
