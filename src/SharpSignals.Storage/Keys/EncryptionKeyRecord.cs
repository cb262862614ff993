namespace SharpSignals.Storage.Keys;

/// <summary>One of a tenant's encryption key pairs (inbound SETs are encrypted to its public half), its private part encrypted before it reaches the store.</summary>
/// <param name="Tenant">The tenant it belongs to; empty for the default tenant.</param>
/// <param name="KeyId">The key id (<c>kid</c>).</param>
/// <param name="KeyType">The JWK key type: <c>RSA</c> or <c>EC</c>.</param>
/// <param name="ProtectedPrivateKey">The private key, encrypted (ASP.NET Core Data Protection).</param>
/// <param name="CreatedAt">When it was generated.</param>
public sealed record EncryptionKeyRecord(string Tenant, string KeyId, string KeyType, string ProtectedPrivateKey, DateTimeOffset CreatedAt);
