using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using SharpSignals.Receiver.SecurityState;
using SharpSignals.Tokens.Subjects;

namespace RelyingParty;

/// <summary>
/// The sample's pages: a sign-in that trusts any address (there is no password: the point is what
/// happens to the session afterwards), a protected home page, and sign-out.
/// </summary>
internal static class AccountPages
{
    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home).RequireAuthorization();
        app.MapGet("/login", LoginForm);
        app.MapPost("/login", LoginAsync).DisableAntiforgery();
        app.MapPost("/logout", (Delegate)LogoutAsync).DisableAntiforgery();
        return app;
    }

    private static ContentHttpResult Home(ClaimsPrincipal user, SubjectSecurityStates states)
    {
        var state = states.GetFor(user);
        return TypedResults.Content(
            $"Signed in as {user.FindFirstValue(ClaimTypes.Email)}. Risk level: {state?.RiskLevel ?? "unknown"}; device: {state?.DeviceCompliance ?? "unknown"}.\n",
            "text/plain");
    }

    private static ContentHttpResult LoginForm() => TypedResults.Content(
        """<form method="post" action="/login"><input name="email" type="email" placeholder="alice@example.com"><button>Sign in</button></form>""",
        "text/html");

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> LoginAsync(HttpContext context, SubjectSecurityStates states)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["email"].ToString() is not { Length: > 0 } email || !email.Contains('@', StringComparison.Ordinal))
        {
            return TypedResults.Problem("An email address is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        // RISC account-disabled: no new session until account-enabled.
        if (states.Get(new EmailSubject(email)) is { AccountDisabled: true })
        {
            return TypedResults.Problem("This account is disabled.", statusCode: StatusCodes.Status403Forbidden);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Email, email)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(new ClaimsPrincipal(identity));
        return TypedResults.Redirect("/");
    }

    private static async Task<RedirectHttpResult> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync();
        return TypedResults.Redirect("/login");
    }
}
