namespace SharpSignals.Storage.Clients;

/// <summary>An initial access token (RFC 7591 §3): lets clients register into one project.</summary>
/// <param name="TokenHash">The hash of the token; the token itself is never stored.</param>
/// <param name="Project">The project its clients belong to.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record InitialAccessTokenRecord(string TokenHash, string Project, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
