namespace SharpSignals.Receiver.Transmitter;

/// <summary>The transmitter could not be reached, refused a call, or answered something this receiver cannot use.</summary>
public sealed class TransmitterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransmitterException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public TransmitterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TransmitterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the transmitter answered, when it answered.</summary>
    public int? Status { get; init; }

    /// <summary>How long the transmitter asked to wait before trying again (its <c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
