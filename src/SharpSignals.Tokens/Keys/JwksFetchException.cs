namespace SharpSignals.Tokens.Keys;

/// <summary>An issuer's keys could not be fetched and none are cached; a later attempt may succeed.</summary>
public sealed class JwksFetchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JwksFetchException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public JwksFetchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public JwksFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
