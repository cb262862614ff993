namespace SharpSignals.Tokens.Sets;

/// <summary>
/// The "Security Event Token Error Codes" registry (RFC 8935 §2.4, IANA), used in push error bodies
/// and in poll <c>setErrs</c> (RFC 8936 §2.6).
/// </summary>
public static class SetErrorCodes
{
    /// <summary>The request body is not a parseable SET, or its event does not match its type's definition.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>A key used to sign or encrypt the SET is invalid or unacceptable.</summary>
    public const string InvalidKey = "invalid_key";

    /// <summary>The recipient does not accept SETs from this issuer.</summary>
    public const string InvalidIssuer = "invalid_issuer";

    /// <summary>The <c>aud</c> claim does not name this recipient.</summary>
    public const string InvalidAudience = "invalid_audience";

    /// <summary>The recipient could not authenticate the transmitter (the signature does not verify).</summary>
    public const string AuthenticationFailed = "authentication_failed";

    /// <summary>The transmitter may not send this SET to this recipient.</summary>
    public const string AccessDenied = "access_denied";

    /// <summary>SSF 1.0 §8.1.4.2: a verification event's <c>state</c> is not the one the receiver expects.</summary>
    public const string InvalidState = "invalid_state";
}
