using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>A fixed set of public keys, such as a JWKS read once or an issuer's own key ring.</summary>
public sealed class StaticKeySource : ISetKeySource
{
    private readonly IReadOnlyList<SecurityKey> _keys;
    private readonly Dictionary<string, IReadOnlyList<SecurityKey>> _byKeyId;

    /// <summary>Creates a source over the given keys.</summary>
    /// <param name="keys">The keys; JWKs are converted to RSA or ECDSA keys once.</param>
    public StaticKeySource(IEnumerable<SecurityKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys.Select(k => k is JsonWebKey jwk ? Jwk.ToSecurityKey(jwk) : k).ToList();
        _byKeyId = _keys.Where(k => !string.IsNullOrEmpty(k.KeyId))
            .GroupBy(k => k.KeyId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<SecurityKey>)g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>Creates a source over the signing keys of a JWK Set (keys whose <c>use</c> is not <c>enc</c>).</summary>
    /// <param name="jwksJson">The JWKS JSON.</param>
    /// <returns>The source.</returns>
    /// <remarks>Keys that cannot be used (unknown type or curve, malformed members) are left out.</remarks>
    public static StaticKeySource FromJwks(string jwksJson) =>
        new(Jwk.ReadSet(jwksJson).Where(k => k.Use != JsonWebKeyUseNames.Enc).Select(TryConvert).OfType<SecurityKey>());

    private static SecurityKey? TryConvert(JsonWebKey key)
    {
        try
        {
            return Jwk.ToSecurityKey(key);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(string? keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(keyId));

    internal IReadOnlyList<SecurityKey> Find(string? keyId) =>
        keyId is null ? _keys : _byKeyId.GetValueOrDefault(keyId) ?? [];

    internal bool HasKeyId(string keyId) => _byKeyId.ContainsKey(keyId);
}
