namespace SharpSignals.Server.Inbound;

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
}
