namespace SharpSignals.Server.Auth;

/// <summary>RFC 6750 §3 <c>WWW-Authenticate</c> values.</summary>
internal static class BearerChallenge
{
    public const string Plain = "Bearer";

    public static string InvalidToken(string description) =>
        $"Bearer error=\"invalid_token\", error_description=\"{Quote(description)}\"";

    public static string InsufficientScope(string scope) =>
        $"Bearer error=\"insufficient_scope\", error_description=\"The token lacks the {Quote(scope)} scope.\", scope=\"{Quote(scope)}\"";

    private static string Quote(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
