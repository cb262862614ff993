using System.Text.Json.Serialization;

namespace SharpSignals.Server.Auth;

internal sealed record InitialAccessTokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("expires_at")] long ExpiresAt,
    [property: JsonPropertyName("single_use")] bool SingleUse);

/// <summary>RFC 7591 §3.2.1, with the project and a first access token (docs/API.md).</summary>
internal sealed record RegistrationResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("client_name")] string ClientName,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("client_id_issued_at")] long ClientIdIssuedAt,
    [property: JsonPropertyName("client_secret_expires_at")] long ClientSecretExpiresAt,
    [property: JsonPropertyName("grant_types")] string[] GrantTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string TokenEndpointAuthMethod);

/// <summary>RFC 6749 §5.1.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

/// <summary>RFC 6749 §5.2 (also RFC 7591 §3.2.2).</summary>
internal sealed record OAuthErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

internal sealed record ClientResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_name")] string ClientName,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("revoked_at")] long? RevokedAt);

[JsonSerializable(typeof(InitialAccessTokenResponse))]
[JsonSerializable(typeof(RegistrationResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthErrorResponse))]
[JsonSerializable(typeof(ClientResponse[]))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
