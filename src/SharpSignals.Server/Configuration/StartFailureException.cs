namespace SharpSignals.Server.Configuration;

/// <summary>
/// A reason the server cannot start that the operator fixes (a setting, a directory), with a message
/// that names it and says what is allowed; shown as one line, without a stack trace (<see cref="StartFailures"/>).
/// </summary>
internal sealed class StartFailureException : Exception
{
    public StartFailureException()
    {
    }

    public StartFailureException(string message)
        : base(message)
    {
    }

    public StartFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
