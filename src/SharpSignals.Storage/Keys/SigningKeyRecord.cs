namespace SharpSignals.Storage.Keys;

/// <summary>One of the issuer's signing keys, its private part encrypted before it reaches the store.</summary>
/// <param name="KeyId">The key id (<c>kid</c>).</param>
/// <param name="Algorithm">The JWS algorithm.</param>
/// <param name="ProtectedPrivateKey">The private JWK, encrypted (ASP.NET Core Data Protection).</param>
/// <param name="CreatedAt">When it starts signing: when it was generated, or later for a key published ahead of signing.</param>
public sealed record SigningKeyRecord(string KeyId, string Algorithm, string ProtectedPrivateKey, DateTimeOffset CreatedAt)
{
    /// <summary>When it stopped signing; null for the active key.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>The tenant whose SETs it signs; <see cref="Tenants.TenantProjects.DefaultTenant"/> for the root.</summary>
    public string Tenant { get; init; } = Tenants.TenantProjects.DefaultTenant;
}
