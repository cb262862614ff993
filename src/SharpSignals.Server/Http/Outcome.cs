using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SharpSignals.Server.Http;

/// <summary>
/// An expected failure, as a value: what the caller did wrong or what a remote transmitter refused,
/// answered as RFC 9457 problem details with this status. Unexpected failures stay exceptions.
/// </summary>
internal sealed record Failure(int Status, string Title, string Detail, IReadOnlyCollection<string>? Errors = null)
{
    /// <summary>When to ask again (RFC 9110 §10.2.3), sent as <c>Retry-After</c> with the problem.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static Failure BadRequest(string detail, IReadOnlyCollection<string>? errors = null) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid", detail, errors);

    /// <summary>Every error found in a request, in one 400: a caller fixes them all in one go.</summary>
    public static Failure Invalid(IReadOnlyCollection<string> errors) => BadRequest(string.Join("; ", errors), errors);

    public static Failure Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static Failure NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static Failure Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);

    public static Failure TooManyRequests(string detail) => new(StatusCodes.Status429TooManyRequests, "Too many requests", detail);

    /// <summary>A remote transmitter this server called failed or answered something it cannot accept.</summary>
    public static Failure BadGateway(string detail) => new(StatusCodes.Status502BadGateway, "The remote transmitter failed", detail);

    public static Failure ServiceUnavailable(string detail) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    public static Failure PayloadTooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, "The request body is too large", detail);

    public static Failure UnsupportedMediaType(string detail) => new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    /// <summary>The problem details body; the only place one is built from a failure.</summary>
    public ProblemHttpResult ToProblem()
    {
        var extensions = Errors is { Count: > 0 } ? new Dictionary<string, object?> { ["errors"] = Errors } : null;
        return TypedResults.Problem(Detail, statusCode: Status, title: Title, extensions: extensions);
    }

    public IResult ToResult() => RetryAfter is { } wait ? new WithRetryAfter(ToProblem(), wait) : ToProblem();

    private sealed class WithRetryAfter(IResult inner, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>A value, or the <see cref="Http.Failure"/> that stopped it; converted to an answer in one place (<see cref="ToResult"/>).</summary>
internal sealed class Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Failure? failure)
    {
        _value = value;
        Failure = failure;
    }

    public Failure? Failure { get; }

    public static Outcome<T> Ok(T value) => new(value, null);

    public static implicit operator Outcome<T>(T value) => Ok(value);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);

    /// <summary>True with the failure, or false with the value: <c>if (x.Failed(out var failure, out var value)) return failure;</c>.</summary>
    public bool Failed([NotNullWhen(true)] out Failure? failure, [MaybeNullWhen(true)] out T value)
    {
        failure = Failure;
        value = _value!;
        return failure is not null;
    }

    public IResult ToResult(Func<T, IResult> answer) => Failure?.ToResult() ?? answer(_value!);
}

/// <summary>Done, or the <see cref="Http.Failure"/> that stopped it.</summary>
internal sealed class Outcome
{
    public static readonly Outcome Done = new(null);

    private Outcome(Failure? failure) => Failure = failure;

    public Failure? Failure { get; }

    public static implicit operator Outcome(Failure failure) => new(failure);

    public bool Failed([NotNullWhen(true)] out Failure? failure)
    {
        failure = Failure;
        return failure is not null;
    }

    public IResult ToResult(Func<IResult> answer) => Failure?.ToResult() ?? answer();
}
