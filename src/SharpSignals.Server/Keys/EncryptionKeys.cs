using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Storage.Keys;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Encryption;

namespace SharpSignals.Server.Keys;

/// <summary>A tenant's encryption keys: the private halves that open SETs encrypted to it, and the public halves its JWKS publishes.</summary>
/// <param name="DecryptionKeys">The private keys, for <c>SetValidationOptions.DecryptionKeys</c>.</param>
/// <param name="PublicKeys">The public JWKs with <c>use: enc</c> and the <c>alg</c> senders should use.</param>
internal sealed record TenantEncryptionKeys(IReadOnlyList<SecurityKey> DecryptionKeys, IReadOnlyList<JsonWebKey> PublicKeys);

/// <summary>
/// Each tenant's key pairs for SETs sent to this server encrypted (docs/API.md, "Encrypted SETs"): an
/// RSA-2048 key (RSA-OAEP, RSA-OAEP-256) and an EC P-256 key (the ECDH-ES family), generated the first
/// time a tenant's keys are loaded, their private halves encrypted with Data Protection before they are
/// stored, as the signing keys are (<see cref="IssuerKeyStore"/>). In a cluster the first node to store
/// a key type wins and every node uses that one. The default tenant's keys load when the host starts.
/// </summary>
internal sealed partial class EncryptionKeys(
    IEncryptionKeyStore store,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    ILogger<EncryptionKeys> logger) : IHostedService
{
    private static readonly string[] KeyTypes = [JsonWebAlgorithmsKeyTypes.RSA, JsonWebAlgorithmsKeyTypes.EllipticCurve];

    /// <summary>The <c>alg</c> published for each key type: the first of these the token library supports (RFC 7518 §4.3, §4.6).</summary>
    private static readonly string[] RsaAlgorithms = ["RSA-OAEP-256", "RSA-OAEP"];

    private static readonly string[] EcAlgorithms = ["ECDH-ES", "ECDH-ES+A256KW"];

    private readonly IDataProtector _protector = dataProtection.CreateProtector("SharpSignals.EncryptionKeys.v1");
    private readonly ConcurrentDictionary<string, TenantEncryptionKeys> _tenants = new(StringComparer.Ordinal);

    /// <summary>A loaded tenant's keys (the default tenant's are loaded at start; others by <see cref="LoadAsync"/>).</summary>
    public TenantEncryptionKeys ForTenant(string tenant) => _tenants.TryGetValue(tenant, out var keys)
        ? keys
        : throw new InvalidOperationException($"The encryption keys of tenant '{tenant}' are not loaded.");

    public async Task StartAsync(CancellationToken cancellationToken) => await LoadAsync(TenantProjects.DefaultTenant, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Follows the live tenants (TenantRegistry, docs/TENANTS.md): loads, or makes, the keys of each new one, and
    /// forgets those of deleted ones, so that nothing more is decrypted for them.
    /// </summary>
    public async Task FollowTenantsAsync(IReadOnlyCollection<string> live, CancellationToken cancellationToken)
    {
        foreach (var tenant in live.Where(t => !_tenants.ContainsKey(t)))
        {
            await LoadAsync(tenant, cancellationToken);
        }

        foreach (var gone in _tenants.Keys.Where(t => t.Length > 0 && !live.Contains(t)))
        {
            _tenants.TryRemove(gone, out _);
        }
    }

    /// <summary>Reads a tenant's keys, generating and storing first those it does not have yet.</summary>
    public async Task<TenantEncryptionKeys> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        var stored = await store.ListEncryptionKeysAsync(tenant, cancellationToken);
        var missing = KeyTypes.Where(type => !stored.Any(k => k.KeyType == type)).ToList();
        if (missing.Count > 0)
        {
            var now = time.GetUtcNow();
            await store.AddEncryptionKeysAsync([.. missing.Select(type => Generate(tenant, type, now))], cancellationToken);
            stored = await store.ListEncryptionKeysAsync(tenant, cancellationToken);
            foreach (var key in stored.Where(k => missing.Contains(k.KeyType)))
            {
                LogGenerated(logger, key.KeyId, key.KeyType, tenant);
            }
        }

        var keys = stored.Select(Open).ToList();
        var loaded = new TenantEncryptionKeys(
            [.. keys],
            [.. keys.Select(PublicJwk).Where(k => k.Alg.Length > 0)]);
        _tenants[tenant] = loaded;
        return loaded;
    }

    private EncryptionKeyRecord Generate(string tenant, string keyType, DateTimeOffset now)
    {
        using AsymmetricAlgorithm key = keyType == JsonWebAlgorithmsKeyTypes.RSA ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privateKey = key.ExportPkcs8PrivateKey();
        var open = Open(keyType, privateKey, keyId: null);

        // RFC 7638: the kid is the key's thumbprint, so it names this key and no other.
        var keyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromSecurityKey(open).ComputeJwkThumbprint());
        return new EncryptionKeyRecord(tenant, keyId, keyType, _protector.Protect(Convert.ToBase64String(privateKey)), now);
    }

    private AsymmetricSecurityKey Open(EncryptionKeyRecord record) =>
        Open(record.KeyType, Convert.FromBase64String(_protector.Unprotect(record.ProtectedPrivateKey)), record.KeyId);

    private static AsymmetricSecurityKey Open(string keyType, byte[] pkcs8, string? keyId)
    {
        AsymmetricSecurityKey key;
        if (keyType == JsonWebAlgorithmsKeyTypes.RSA)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            key = new RsaSecurityKey(rsa);
        }
        else
        {
            var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            key = new ECDsaSecurityKey(ec);
        }

        key.KeyId = keyId;
        return key;
    }

    /// <summary>The public half, with <c>use: enc</c> and the first algorithm the token library takes for its type; no alg when it takes none.</summary>
    private static JsonWebKey PublicJwk(AsymmetricSecurityKey key)
    {
        var full = JsonWebKeyConverter.ConvertFromSecurityKey(key);
        var algorithms = full.Kty == JsonWebAlgorithmsKeyTypes.RSA ? RsaAlgorithms : EcAlgorithms;
        return new JsonWebKey
        {
            Kty = full.Kty,
            Use = JsonWebKeyUseNames.Enc,
            Kid = key.KeyId,
            Alg = algorithms.FirstOrDefault(SetEncryption.KeyManagementAlgorithms.Contains) ?? "",
            N = full.N,
            E = full.E,
            Crv = full.Crv,
            X = full.X,
            Y = full.Y,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated encryption key {KeyId} ({KeyType}) of tenant '{Tenant}'")]
    private static partial void LogGenerated(ILogger logger, string keyId, string keyType, string tenant);
}
