namespace SharpSignals.Tokens.Keys;

/// <summary>The JWS algorithms SETs are signed and verified with.</summary>
public static class SigningAlgorithms
{
    /// <summary>ECDSA with P-256 and SHA-256; the default for new keys.</summary>
    public const string ES256 = "ES256";

    /// <summary>ECDSA with P-384 and SHA-384.</summary>
    public const string ES384 = "ES384";

    /// <summary>ECDSA with P-521 and SHA-512.</summary>
    public const string ES512 = "ES512";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256; required by the CAEP interoperability profile.</summary>
    public const string RS256 = "RS256";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    public const string RS384 = "RS384";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    public const string RS512 = "RS512";

    /// <summary>RSASSA-PSS with SHA-256.</summary>
    public const string PS256 = "PS256";

    /// <summary>RSASSA-PSS with SHA-384.</summary>
    public const string PS384 = "PS384";

    /// <summary>RSASSA-PSS with SHA-512.</summary>
    public const string PS512 = "PS512";

    /// <summary>The algorithms this library signs with.</summary>
    public static readonly IReadOnlyList<string> Signing = [ES256, RS256, PS256];

    /// <summary>
    /// The algorithms accepted on received SETs by default: asymmetric only, never <c>none</c> and never
    /// an HMAC algorithm, whose "key" would be a public key anyone can read.
    /// </summary>
    public static readonly IReadOnlyList<string> Verifying = [ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512];

    /// <summary>Whether the algorithm uses an RSA key.</summary>
    /// <param name="algorithm">The JWS algorithm.</param>
    /// <returns><see langword="true"/> for the RS and PS families.</returns>
    public static bool IsRsa(string algorithm) =>
        algorithm.StartsWith("RS", StringComparison.Ordinal) || algorithm.StartsWith("PS", StringComparison.Ordinal);

    /// <summary>Whether the algorithm uses an elliptic-curve key.</summary>
    /// <param name="algorithm">The JWS algorithm.</param>
    /// <returns><see langword="true"/> for the ES family.</returns>
    public static bool IsEcdsa(string algorithm) => algorithm.StartsWith("ES", StringComparison.Ordinal);
}
