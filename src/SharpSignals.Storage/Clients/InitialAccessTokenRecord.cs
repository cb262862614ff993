namespace SharpSignals.Storage.Clients;

/// <summary>An initial access token (RFC 7591 §3): lets clients register into one project.</summary>
/// <param name="TokenHash">The hash of the token; the token itself is never stored.</param>
/// <param name="Project">The project its clients belong to.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record InitialAccessTokenRecord(string TokenHash, string Project, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>True for a token that registers one client only; <see cref="IClientStore.RegisterClientAsync"/> spends it.</summary>
    public bool SingleUse { get; init; }

    /// <summary>When a single-use token registered its client; null while it is unused (and always for a reusable token).</summary>
    public DateTimeOffset? UsedAt { get; init; }
}
