using SharpSignals.Tokens.Encryption;

namespace SharpSignals.Server.Tests.Support;

/// <summary>The JWE <c>alg</c>/<c>enc</c> pairs the token library supports, read from its lists, so that a pair it gains is tested at once.</summary>
internal static class EncryptionPairs
{
    public static TheoryData<string, string> Supported()
    {
        var pairs = new TheoryData<string, string>();
        foreach (var alg in SetEncryption.KeyManagementAlgorithms)
        {
            foreach (var enc in SetEncryption.ContentEncryptionAlgorithms.Where(enc => SetEncryption.Supports(alg, enc)))
            {
                pairs.Add(alg, enc);
            }
        }

        return pairs;
    }

    /// <summary>The JWK key type <paramref name="alg"/> encrypts to: EC for the ECDH-ES family, RSA otherwise.</summary>
    public static string KeyTypeFor(string alg) => alg.StartsWith("ECDH-ES", StringComparison.Ordinal) ? "EC" : "RSA";
}
