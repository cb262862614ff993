using System.Buffers;

namespace SharpSignals.Tokens.Validation;

/// <summary>
/// A compact JWS as <see cref="StrictJose.Read"/> read it, once: the protected header's <c>alg</c>,
/// <c>kid</c> and <c>typ</c>, the claims set decoded into a pooled buffer (returned on
/// <see cref="Dispose"/>), and the encoded signature.
/// </summary>
internal sealed class JwsParts(string? algorithm, string? keyId, string? type, byte[] claims, int claimsLength, ReadOnlyMemory<char> encodedSignature) : IDisposable
{
    private byte[]? _claims = claims;

    public string? Algorithm { get; } = algorithm;

    public string? KeyId { get; } = keyId;

    public string? Type { get; } = type;

    public ReadOnlyMemory<char> EncodedSignature { get; } = encodedSignature;

    /// <summary>The UTF-8 claims set; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Claims => (_claims ?? throw new ObjectDisposedException(nameof(JwsParts))).AsMemory(0, claimsLength);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _claims, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
