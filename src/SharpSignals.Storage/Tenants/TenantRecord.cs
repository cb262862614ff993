namespace SharpSignals.Storage.Tenants;

/// <summary>A tenant: an issuer of its own on this server (docs/TENANTS.md).</summary>
/// <param name="Name">Its name, the last segment of its issuer path <c>/t/{name}</c>.</param>
/// <param name="AdminTokenHash">The hash of its admin token; the token itself is never stored.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record TenantRecord(string Name, string AdminTokenHash, DateTimeOffset CreatedAt)
{
    /// <summary>When it was deleted; a deleted tenant's name is never given again, so nothing of its can reappear.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
}
