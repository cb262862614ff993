using Microsoft.AspNetCore.Http.HttpResults;

namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>How console endpoints answer: a page rendered from a Razor component, or an error page.</summary>
internal static class ConsoleResults
{
    /// <summary>Renders <typeparamref name="TPage"/> with <paramref name="parameters"/> (an object whose properties are the component's parameters).</summary>
    public static IResult Page<TPage>(object parameters, int statusCode = StatusCodes.Status200OK)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<TPage>(parameters) { StatusCode = statusCode };

    /// <summary>
    /// An error as a page for a browser, or as RFC 9457 ProblemDetails for a script (a request that
    /// does not accept HTML).
    /// </summary>
    public static IResult Error(HttpContext http, int status, string title, string detail)
    {
        var accept = http.Request.Headers.Accept.ToString();
        if (!accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(detail, statusCode: status, title: title);
        }

        return Page<ErrorPage>(new { Page = ConsolePage.For(http), Title = title, Detail = detail }, status);
    }

    /// <summary>404 for something the viewer cannot see, whether it does not exist or is another project's.</summary>
    public static IResult NotFound(HttpContext http, string what) =>
        Error(http, StatusCodes.Status404NotFound, "Not found", $"There is no {what} here.");
}
