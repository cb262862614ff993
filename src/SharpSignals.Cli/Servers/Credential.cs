using System.Text.Json.Serialization;

namespace SharpSignals.Cli.Servers;

/// <summary>
/// What a profile logs in with, kept in <c>credentials.json</c> (mode 0600): the admin token, or a
/// registered client's id and secret with the last access token obtained for them.
/// </summary>
internal sealed record Credential
{
    public const string AdminKind = "admin";
    public const string ClientKind = "client";

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    /// <summary>Seconds since the epoch.</summary>
    [JsonPropertyName("access_token_expires_at")]
    public long? AccessTokenExpiresAt { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    [JsonPropertyName("project")]
    public string? Project { get; init; }

    [JsonIgnore]
    public bool IsAdmin => Kind == AdminKind;
}
