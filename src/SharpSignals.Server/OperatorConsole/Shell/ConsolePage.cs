using Microsoft.AspNetCore.Antiforgery;

namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>
/// What every console page's layout needs: who is signed in (null on the sign-in page), the
/// anti-forgery token its forms carry, where it is (for the navigation) and the notice left by the
/// change that led here.
/// </summary>
public sealed record ConsolePage(ConsoleViewer? Viewer, string CsrfToken, string Path, string? Notice)
{
    internal static ConsolePage For(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var viewer = http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType == ConsoleSession.Scheme
            ? ConsoleViewer.Of(http.User)
            : null;
        return new ConsolePage(viewer, tokens.RequestToken!, http.Request.Path.Value ?? ConsoleSession.BasePath, ConsoleNotice.Take(http));
    }

    /// <summary>The viewer of a page behind the session (never null there).</summary>
    public ConsoleViewer SignedIn => Viewer ?? throw new InvalidOperationException("This console page needs a session.");
}
