using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Configuration;

/// <summary>The <c>SharpSignals:Signing</c> section.</summary>
internal sealed record SigningOptions
{
    /// <summary>The algorithm of newly generated issuer keys: ES256 (default), RS256 or PS256.</summary>
    public string Algorithm { get; init; } = SigningAlgorithms.ES256;
}
