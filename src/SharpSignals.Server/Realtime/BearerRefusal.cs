namespace SharpSignals.Server.Realtime;

/// <summary>
/// A refused realtime token over HTTP: 401 or 403 with the RFC 6750 §3 <c>WWW-Authenticate</c>
/// header of its error code, and an RFC 9457 problem body.
/// </summary>
internal sealed class BearerRefusal(int status, RealtimeError error) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"{error.Code}\", error_description=\"{error.Description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        await TypedResults.Problem(error.Description, statusCode: status, title: status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden")
            .ExecuteAsync(httpContext);
    }
}
