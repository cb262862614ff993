using SharpSignals.Server.Configuration;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Keys;

/// <summary>Signs SETs as this server: its issuer, its active key (one cached signer per key).</summary>
internal sealed class SetIssuer(IssuerKeyStore keys, IssuerUrl issuer, TimeProvider time)
{
    private SetSigner? _signer;

    public string Issuer => issuer.Value;

    public string Sign(SecurityEventToken set)
    {
        var active = keys.Ring.Active;
        var signer = _signer;
        if (signer is null || !ReferenceEquals(signer.Key, active))
        {
            _signer = signer = new SetSigner(active);
        }

        return signer.Sign(set);
    }

    /// <summary>A new SET from this issuer, issued now, with a new <c>jti</c>.</summary>
    public SecurityEventToken NewSet(SecurityEvent securityEvent, SubjectIdentifier subject, IReadOnlyList<string> audience) => new()
    {
        Issuer = issuer.Value,
        Audience = audience,
        IssuedAt = time.GetUtcNow(),
        Jti = SetIds.NewJti(),
        Subject = subject,
        Events = [securityEvent],
    };
}
