using Microsoft.AspNetCore.Http.HttpResults;

namespace SharpSignals.Server.Http;

/// <summary>RFC 9457 problem details for everything outside the RFC 8935/8936 bodies, for callers that answer at once (built by <see cref="Failure"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail, IReadOnlyCollection<string>? errors = null) => Failure.BadRequest(detail, errors).ToProblem();

    public static ProblemHttpResult Forbidden(string detail) => Failure.Forbidden(detail).ToProblem();

    public static ProblemHttpResult NotFound(string detail) => Failure.NotFound(detail).ToProblem();

    public static ProblemHttpResult Conflict(string detail) => Failure.Conflict(detail).ToProblem();

    public static ProblemHttpResult TooManyRequests(string detail) => Failure.TooManyRequests(detail).ToProblem();

    /// <summary>A remote transmitter this server called failed or answered something it cannot accept.</summary>
    public static ProblemHttpResult BadGateway(string detail) => Failure.BadGateway(detail).ToProblem();

    public static ProblemHttpResult ServiceUnavailable(string detail) => Failure.ServiceUnavailable(detail).ToProblem();

    public static ProblemHttpResult PayloadTooLarge(string detail) => Failure.PayloadTooLarge(detail).ToProblem();

    public static ProblemHttpResult UnsupportedMediaType(string detail) => Failure.UnsupportedMediaType(detail).ToProblem();
}
