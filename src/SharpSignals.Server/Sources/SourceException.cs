namespace SharpSignals.Server.Sources;

/// <summary>A source transmitter could not be reached, or answered something this server cannot accept.</summary>
internal sealed class SourceException : Exception
{
    public SourceException()
    {
    }

    public SourceException(string message)
        : base(message)
    {
    }

    public SourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the source answered with, when it answered at all.</summary>
    public int? RemoteStatus { get; init; }

    /// <summary>The source's <c>Retry-After</c>, when it asked to be called again later (HTTP 429).</summary>
    public TimeSpan? RetryAfter { get; init; }
}
