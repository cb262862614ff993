using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Http;

/// <summary>
/// A request that declares a body larger than <see cref="RequestLimitsOptions.MaxBodyBytes"/> is
/// answered 413 (RFC 9110 §15.5.14) before routing, and the connection is closed. Kestrel enforces
/// the same limit only when something reads the body: an endpoint that does not (a probe, a token-only
/// action) answered first, and Kestrel's drain of the rest then reset the connection under a client
/// still sending, which saw no answer at all (found by the fuzz test). Answered here, a client that
/// waits for 100 Continue gets the 413 without sending a byte of the body.
/// </summary>
internal static class DeclaredBodyLimit
{
    public static IApplicationBuilder UseDeclaredBodyLimit(this IApplicationBuilder app)
    {
        var max = app.ApplicationServices.GetRequiredService<IOptions<RequestLimitsOptions>>().Value.MaxBodyBytes;
        return app.Use((context, next) =>
        {
            if (context.Request.ContentLength is not { } length || length <= max)
            {
                return next(context);
            }

            context.Response.Headers.Connection = "close";
            return Problems.PayloadTooLarge($"The body may be at most {max} bytes (SharpSignals:Requests:MaxBodyBytes).").ExecuteAsync(context);
        });
    }
}
