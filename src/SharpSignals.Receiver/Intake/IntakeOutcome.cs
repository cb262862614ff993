using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Intake;

/// <summary>What became of one SET.</summary>
internal enum IntakeResult
{
    /// <summary>Valid, and every handler succeeded: acknowledge it (push 202, poll <c>ack</c>).</summary>
    Handled,

    /// <summary>Valid, and handled before (same <c>jti</c>): acknowledge it again, handlers not called.</summary>
    Duplicate,

    /// <summary>Invalid: refuse it with its RFC 8935 error (push 400, poll <c>setErrs</c>).</summary>
    Refused,

    /// <summary>
    /// Not settled: the receiver is not ready, the keys could not be fetched, or a handler failed. Neither
    /// acknowledged nor refused (RFC 8936 §2.6 keeps <c>setErrs</c> for invalid SETs), so it comes again.
    /// </summary>
    Retry,
}

/// <summary>The result for one SET, with the error to answer when it was refused or must come again.</summary>
internal sealed record IntakeOutcome(IntakeResult Result, SetError? Error = null)
{
    public static readonly IntakeOutcome Handled = new(IntakeResult.Handled);

    public static readonly IntakeOutcome Duplicate = new(IntakeResult.Duplicate);

    public bool IsAcknowledged => Result is IntakeResult.Handled or IntakeResult.Duplicate;

    public static IntakeOutcome Refused(SetError error) => new(IntakeResult.Refused, error);

    public static IntakeOutcome Retry(string code, string description) => new(IntakeResult.Retry, new SetError(code, description));
}
