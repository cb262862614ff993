using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Streams;

namespace SharpSignals.Receiver.Authentication;

/// <summary>
/// With <see cref="SharedSignalsReceiverOptions.RefuseSignInWhileStreamDown"/>: while the stream is not
/// up, a request for a sign-in page (any cookie scheme's <c>LoginPath</c>, or one of
/// <see cref="SharedSignalsReceiverOptions.SignInPaths"/>) is answered 503 with a page saying sign-in is
/// unavailable, before the application's own middleware runs. A session begun now could not be ended by
/// a revocation that the receiver is not there to receive. The page says nothing of the cause, which is
/// for the operator (the health check), not the visitor.
/// </summary>
internal sealed partial class SignInRefusal(
    SharedSignalsReceiverStatus status,
    IOptionsMonitor<SharedSignalsReceiverOptions> options,
    ILogger<SignInRefusal> logger,
    IAuthenticationSchemeProvider? schemes = null,
    IOptionsMonitor<CookieAuthenticationOptions>? cookies = null) : IMiddleware
{
    /// <summary>When a browser may ask again: set-up retries come well within it while the transmitter answers.</summary>
    private const string RetryAfterSeconds = "30";

    private const string Page = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Sign-in unavailable</title></head>
        <body>
        <h1>Sign-in is unavailable for now</h1>
        <p>This application cannot receive security signals from its identity provider at the moment, so it
        could not end a session that the provider revokes. Until it can, nobody can sign in.</p>
        <p>Please try again in a few minutes. If this lasts, tell the application's administrators.</p>
        </body>
        </html>
        """;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!options.CurrentValue.RefuseSignInWhileStreamDown || status.IsUp || !await IsSignInPathAsync(context))
        {
            await next(context);
            return;
        }

        LogRefused(logger, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Page, context.RequestAborted);
    }

    private async Task<bool> IsSignInPathAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (options.CurrentValue.SignInPaths.Any(p => path.Equals(new PathString(p))))
        {
            return true;
        }

        // An application without authentication has no cookie scheme, and no schemes to ask about.
        if (schemes is null || cookies is null)
        {
            return false;
        }

        foreach (var scheme in await schemes.GetAllSchemesAsync())
        {
            if (typeof(CookieAuthenticationHandler).IsAssignableFrom(scheme.HandlerType) && cookies.Get(scheme.Name).LoginPath is { HasValue: true } login && path.Equals(login))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in at {Path} refused: the shared signals stream is not up")]
    private static partial void LogRefused(ILogger logger, PathString path);

    /// <summary>Puts the refusal first in the pipeline, ahead of routing and authentication.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<SignInRefusal>();
            next(app);
        };
    }
}
