using Microsoft.AspNetCore.Http.HttpResults;

namespace SharpSignals.Server.Http;

/// <summary>RFC 9457 problem details for everything outside the RFC 8935/8936 bodies.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail, IReadOnlyCollection<string>? errors = null) =>
        Problem(StatusCodes.Status400BadRequest, "The request is not valid", detail, errors);

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult Conflict(string detail) =>
        Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ProblemHttpResult TooManyRequests(string detail) =>
        Problem(StatusCodes.Status429TooManyRequests, "Too many requests", detail);

    /// <summary>A remote transmitter this server called failed or answered something it cannot accept.</summary>
    public static ProblemHttpResult BadGateway(string detail) =>
        Problem(StatusCodes.Status502BadGateway, "The remote transmitter failed", detail);

    public static ProblemHttpResult ServiceUnavailable(string detail) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    public static ProblemHttpResult PayloadTooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "The request body is too large", detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyCollection<string>? errors = null)
    {
        var extensions = errors is { Count: > 0 } ? new Dictionary<string, object?> { ["errors"] = errors } : null;
        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
