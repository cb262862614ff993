namespace SharpSignals.Server.Realtime;

/// <summary>
/// Why a realtime request was refused: an RFC 6750 §3.1 style code (<c>invalid_token</c>,
/// <c>insufficient_scope</c>, <c>invalid_request</c>) or one of <see cref="RealtimeErrors"/>, and a
/// description for people.
/// </summary>
internal sealed record RealtimeError(string Code, string Description);

/// <summary>The error codes of realtime frames (docs/API.md, "Real time").</summary>
internal static class RealtimeErrors
{
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string InvalidRequest = "invalid_request";
    public const string NotFound = "not_found";
    public const string StreamDisabled = "stream_disabled";
    public const string LimitExceeded = "limit_exceeded";

    /// <summary>The store could not be read or written for the moment: try again shortly.</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    public static RealtimeError Token(string description) => new(InvalidToken, description);

    public static RealtimeError Scope(string description) => new(InsufficientScope, description);

    public static RealtimeError Request(string description) => new(InvalidRequest, description);

    public static RealtimeError Unavailable(string description) => new(TemporarilyUnavailable, description);
}
