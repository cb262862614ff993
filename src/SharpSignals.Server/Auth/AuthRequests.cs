using System.Text.Json.Serialization;

namespace SharpSignals.Server.Auth;

// The request bodies of the token endpoints as the OpenAPI document shows them; the handlers read
// the bodies member by member, so that every problem can be named at once.

/// <summary><c>POST /iat</c>.</summary>
internal sealed record InitialAccessTokenRequest(
    [property: JsonPropertyName("project")] string? Project = null,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn = null);

/// <summary><c>POST /register</c>, RFC 7591 §2.</summary>
internal sealed record RegistrationRequest(
    [property: JsonPropertyName("client_name")] string? ClientName = null,
    [property: JsonPropertyName("scope")] string? Scope = null);

/// <summary><c>POST /oauth/token</c>, RFC 6749 §4.4.2, form-encoded; the client may authenticate with HTTP Basic instead.</summary>
internal sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("scope")] string? Scope = null,
    [property: JsonPropertyName("client_id")] string? ClientId = null,
    [property: JsonPropertyName("client_secret")] string? ClientSecret = null);
