namespace SharpSignals.Cli.Http;

/// <summary>An RFC 6749 §5.1 token response, as far as the tool needs it.</summary>
internal sealed record TokenAnswer(string AccessToken, long ExpiresIn, string? Scope);
