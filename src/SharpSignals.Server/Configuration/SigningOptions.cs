using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Configuration;

/// <summary>The <c>SharpSignals:Signing</c> section.</summary>
internal sealed record SigningOptions
{
    /// <summary>The algorithm of newly generated issuer keys: ES256 (default), RS256 or PS256.</summary>
    public string Algorithm { get; init; } = SigningAlgorithms.ES256;

    /// <summary>
    /// How long a rotated-to key is published in the JWKS before it signs (default one hour), so that
    /// receivers holding a cached JWKS never meet a kid they do not know. An immediate rotation (for a
    /// compromised key) skips it.
    /// </summary>
    public int RotationLeadSeconds { get; init; } = 3600;
}
