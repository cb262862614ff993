using System.Text.Json.Serialization;

namespace SharpSignals.Client;

/// <summary>An access token from the token endpoint (RFC 6749 §5.1).</summary>
/// <param name="Value">The token, sent as <c>Authorization: Bearer</c>.</param>
/// <param name="ExpiresIn">How long it lasts; null when the endpoint did not say (<c>expires_in</c> is only RECOMMENDED).</param>
/// <param name="Scope">The scope granted, when the endpoint named it.</param>
public sealed record AccessToken(string Value, TimeSpan? ExpiresIn, string? Scope);

/// <summary>The wire shape of a token response.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope);
