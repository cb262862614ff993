using System.Collections.Concurrent;
using SharpSignals.Server.Configuration;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Keys;

/// <summary>Signs SETs as one of this server's issuers: a tenant's issuer URL, its active key (one cached signer per tenant and key).</summary>
internal sealed class SetIssuer(IssuerKeyStore keys, IssuerUrl issuer, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SetSigner> _signers = new(StringComparer.Ordinal);

    /// <summary>The default tenant's issuer.</summary>
    public string Issuer => issuer.Value;

    /// <summary>A tenant's issuer.</summary>
    public string IssuerOf(string tenant) => issuer.For(tenant);

    /// <summary>Signs with the tenant's active key; the SET's <c>iss</c> must be the tenant's issuer.</summary>
    public string Sign(SecurityEventToken set, string tenant) => SignerOf(tenant).Sign(set);

    /// <summary>
    /// An event's token as the log keeps it, signed: a locally published event's claims are kept
    /// unsigned (<see cref="SetSigner.Unsecured"/>) and signed here, on read, with the tenant's active
    /// key; any other token (received, or a stream event) is returned as stored. Null when the
    /// tenant is gone with its keys: there is no key left to sign with.
    /// </summary>
    public string? SignStored(string token, string tenant)
    {
        if (!SetSigner.IsUnsecured(token))
        {
            return token;
        }

        try
        {
            return SignerOf(tenant).SignUnsecured(token);
        }
        catch (InvalidOperationException)
        {
            // IssuerKeyStore.RingOf: the tenant's keys are not loaded, as it was deleted.
            return null;
        }
    }

    private SetSigner SignerOf(string tenant)
    {
        var active = keys.RingOf(tenant).Active;
        if (!_signers.TryGetValue(tenant, out var signer) || !ReferenceEquals(signer.Key, active))
        {
            _signers[tenant] = signer = new SetSigner(active);
        }

        return signer;
    }

    /// <summary>A new SET from the tenant's issuer, issued now, with a new <c>jti</c>.</summary>
    public SecurityEventToken NewSet(string tenant, SecurityEvent securityEvent, SubjectIdentifier subject, IReadOnlyList<string> audience) => new()
    {
        Issuer = issuer.For(tenant),
        Audience = audience,
        IssuedAt = time.GetUtcNow(),
        Jti = SetIds.NewJti(),
        Subject = subject,
        Events = [securityEvent],
    };
}
