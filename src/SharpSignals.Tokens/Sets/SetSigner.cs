using Microsoft.IdentityModel.JsonWebTokens;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Sets;

/// <summary>
/// Signs SETs as compact JWS with <c>typ: secevent+jwt</c> and the key's <c>kid</c> (SSF 1.0 §4.1).
/// Thread-safe; keep one per key.
/// </summary>
/// <param name="key">The signing key.</param>
public sealed class SetSigner(SetSigningKey key)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private static readonly Dictionary<string, object> Header = new(StringComparer.Ordinal) { ["typ"] = SetMediaTypes.JoseType };

    /// <summary>The key this signer signs with.</summary>
    public SetSigningKey Key { get; } = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>Checks the SET against the SSF profile and signs it.</summary>
    /// <param name="set">The claims.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException">The SET breaks a rule (such as two unrelated events, or an invalid payload).</exception>
    public string Sign(SecurityEventToken set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var errors = set.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The SET is not valid: {string.Join("; ", errors)}", nameof(set));
        }

        return SignPayload(SetPayload.ToJson(set));
    }

    /// <summary>Signs a claims set that was checked elsewhere, such as one read back from storage.</summary>
    /// <param name="payloadJson">The claims set JSON.</param>
    /// <returns>The compact JWS.</returns>
    public string SignPayload(string payloadJson) => Handler.CreateToken(payloadJson, Key.Credentials, Header);
}
