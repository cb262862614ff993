namespace SharpSignals.Client;

/// <summary>
/// A call to the transmitter failed: it could not be reached or did not answer in time (no
/// <see cref="Status"/>), it refused (an HTTP status with what it said), or its answer cannot be used.
/// </summary>
public sealed class SharedSignalsClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SharedSignalsClientException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public SharedSignalsClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SharedSignalsClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The method of the request that failed.</summary>
    public string? Method { get; init; }

    /// <summary>The URL of the request that failed.</summary>
    public Uri? RequestUri { get; init; }

    /// <summary>The HTTP status the transmitter answered, when it answered.</summary>
    public int? Status { get; init; }

    /// <summary>The RFC 9457 problem details of the answer, when it was one.</summary>
    public ProblemDetails? Problem { get; init; }

    /// <summary>The error code: RFC 8935 §2.3 / RFC 8936 <c>err</c>, or RFC 6749 §5.2 <c>error</c>.</summary>
    public string? Error { get; init; }

    /// <summary>The error's text: <c>description</c> (RFC 8935/8936) or <c>error_description</c> (RFC 6749).</summary>
    public string? Description { get; init; }

    /// <summary>How long the transmitter asked to wait before calling again (its <c>Retry-After</c>, RFC 9110 §10.2.3).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The parameter of a 401's <c>WWW-Authenticate</c> challenge (RFC 6750 §3), such as <c>error="invalid_token"</c>.</summary>
    public string? Challenge { get; init; }

    /// <summary>The body of the error answer as it came.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>What the transmitter said was wrong, in one phrase: the problem's detail, the error and its description, or null.</summary>
    public string? Said => ErrorBody.Compose(Problem, Error, Description);
}
