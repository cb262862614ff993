using SharpSignals.Tokens.Keys;

namespace SharpSignals.Tokens.Tests.Support;

/// <summary>One signing key per algorithm the library signs with, generated once per test run (RSA keys are slow to make).</summary>
internal static class TestKeys
{
    private static readonly Dictionary<string, SetSigningKey> ByAlgorithm =
        SigningAlgorithms.Signing.ToDictionary(a => a, a => SetSigningKey.Generate(a), StringComparer.Ordinal);

    public static TheoryData<string> Algorithms() => [.. SigningAlgorithms.Signing];

    public static SetSigningKey For(string algorithm) => ByAlgorithm[algorithm];
}
