using Microsoft.AspNetCore.Diagnostics;

namespace SharpSignals.Server.Http;

/// <summary>
/// Kestrel's refusal of a request body while an endpoint reads it (larger than
/// <see cref="RequestLimitsOptions.MaxBodyBytes"/>: 413; slower than the minimum rate: 408; a
/// malformed chunked encoding: 400) is the client's fault, so it is answered with that status as RFC
/// 9457 problem details and logged in one line, not as a 500 with a stack trace.
/// </summary>
internal sealed partial class RequestBodyRefusedHandler(IProblemDetailsService problems, ILogger<RequestBodyRefusedHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException refused)
        {
            return false;
        }

        LogRefused(logger, refused.StatusCode, httpContext.Request.Path, refused.Message);
        httpContext.Response.StatusCode = refused.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = refused.StatusCode,
                Detail = refused.Message,
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request body refused with {Status} on {Path}: {Reason}")]
    private static partial void LogRefused(ILogger logger, int status, PathString path, string reason);
}
