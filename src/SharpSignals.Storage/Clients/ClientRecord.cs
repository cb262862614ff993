namespace SharpSignals.Storage.Clients;

/// <summary>A registered client (RFC 7591); its secret is stored hashed only.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Project">The project of the initial access token it registered with.</param>
/// <param name="Name">The <c>client_name</c>.</param>
/// <param name="SecretHash">The hash of its secret.</param>
/// <param name="Scope">Its space-separated scopes.</param>
/// <param name="CreatedAt">When it registered.</param>
public sealed record ClientRecord(string ClientId, string Project, string Name, string SecretHash, string Scope, DateTimeOffset CreatedAt)
{
    /// <summary>When it was revoked; a revoked client and its tokens are refused.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}
