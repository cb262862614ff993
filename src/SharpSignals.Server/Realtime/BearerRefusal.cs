namespace SharpSignals.Server.Realtime;

/// <summary>
/// A refused realtime token over HTTP: 401 or 403 with the RFC 6750 §3 <c>WWW-Authenticate</c>
/// header of its error code, and an RFC 9457 problem body.
/// </summary>
internal sealed class BearerRefusal(int status, RealtimeError error) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.WWWAuthenticate = $"Bearer error=\"{error.Code}\", error_description=\"{HeaderSafe(error.Description)}\"";
        await TypedResults.Problem(error.Description, statusCode: status, title: status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden")
            .ExecuteAsync(httpContext);
    }

    /// <summary>
    /// RFC 6750 §3: error_description holds printable ASCII other than <c>"</c> and <c>\</c>. A description
    /// may quote what the token carried (a member name), so anything else becomes <c>?</c>; the problem
    /// body keeps it whole.
    /// </summary>
    private static string HeaderSafe(string description) =>
        string.Create(description.Length, description, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and <= '~' and not '"' and not '\\' ? text[i] : '?';
            }
        });
}
