namespace SharpSignals.Storage.Clients;

/// <summary>An access token issued to a client; stored by hash only.</summary>
/// <param name="TokenHash">The hash of the token.</param>
/// <param name="ClientId">The client it was issued to.</param>
/// <param name="Project">The client's project.</param>
/// <param name="Scope">The granted space-separated scopes.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record AccessTokenRecord(string TokenHash, string ClientId, string Project, string Scope, DateTimeOffset ExpiresAt);
