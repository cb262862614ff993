using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

/// <summary>The outcome of validating a SET: the verified claims, or the RFC 8935 error to answer with.</summary>
public sealed record SetValidationResult
{
    /// <summary>The verified claims, when valid.</summary>
    public SecurityEventToken? Set { get; init; }

    /// <summary>Why the SET was refused, when it was.</summary>
    public SetError? Error { get; init; }

    /// <summary>
    /// Whether the refusal may not recur: the issuer's keys could not be fetched, or a <c>kid</c> is
    /// unknown while they cannot be fetched again yet. A receiver should
    /// answer with a server error (so that the transmitter retries) rather than a 400.
    /// </summary>
    public bool IsTransient { get; init; }

    /// <summary>
    /// For a transient refusal, when the SET may be taken: an unknown <c>kid</c> seen while the issuer's
    /// keys cannot be fetched again yet (<see cref="Keys.SetKeyLookup.RetryAfter"/>). Null when unknown.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The signed token (the inner JWS when the SET came encrypted), kept for forwarding byte for byte.</summary>
    public string? SignedToken { get; init; }

    /// <summary>The <c>kid</c> of the key that verified the signature.</summary>
    public string? KeyId { get; init; }

    /// <summary>The JWS algorithm of the signature.</summary>
    public string? Algorithm { get; init; }

    /// <summary>Whether the SET came as a JWE.</summary>
    public bool WasEncrypted { get; init; }

    /// <summary>Whether the SET passed every check.</summary>
    public bool IsValid => Error is null && Set is not null;

    internal static SetValidationResult Fail(string code, string description) => new() { Error = new SetError(code, description) };
}
