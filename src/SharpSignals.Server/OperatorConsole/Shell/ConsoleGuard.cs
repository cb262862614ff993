using Microsoft.AspNetCore.Antiforgery;

namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>
/// Runs before every console endpoint: a change (any method but GET and HEAD) must carry the
/// session's anti-forgery token (ASP.NET Core Antiforgery, form field or <c>X-CSRF-Token</c> header)
/// or it is refused with 400 and changes nothing (a body that is not a form, 415); and every answer gets headers that keep the pages
/// out of frames and caches and allow only the console's own scripts and styles.
/// </summary>
internal sealed class ConsoleGuard(IAntiforgery antiforgery) : IEndpointFilter
{
    public const string HeaderName = "X-CSRF-Token";

    public const string FormField = "__RequestVerificationToken";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";

        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return await next(context);
        }

        // A change is a form (the pages' own, or a script's URLSearchParams), read here once, so that
        // an endpoint's ReadFormAsync finds it read and no body the form reader chokes on gets further.
        if ((request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) && !request.HasFormContentType)
        {
            return ConsoleResults.Error(http, StatusCodes.Status415UnsupportedMediaType, "Not a form", "A change to the console is sent as a form (application/x-www-form-urlencoded or multipart/form-data).");
        }

        if (!await IsValidAsync(http))
        {
            return ConsoleResults.Error(
                http,
                StatusCodes.Status400BadRequest,
                "Not sent by the console",
                "This change did not carry the console's anti-forgery token, so nothing was changed. Reload the page and try again.");
        }

        return await next(context);
    }

    private async Task<bool> IsValidAsync(HttpContext http)
    {
        try
        {
            if (http.Request.HasFormContentType)
            {
                await http.Request.ReadFormAsync(http.RequestAborted);
            }

            return await antiforgery.IsRequestValidAsync(http);
        }
        catch (Exception failure) when (failure is InvalidDataException or BadHttpRequestException or IOException or AntiforgeryValidationException)
        {
            // A form body that cannot be read carries no token either.
            return false;
        }
    }
}
