namespace SharpSignals.Bench.Server;

/// <summary>
/// SETs signed before a timed window, handed out once each, so that the window measures the server
/// and not the generator's signing; when they run out, more are signed on the spot and counted.
/// </summary>
internal sealed class TokenPool(SetSource source, string audience, byte[][] tokens)
{
    private long _next = -1;
    private long _signedInWindow;

    /// <summary>SETs signed on the spot because the pool ran out.</summary>
    public long SignedOnTheSpot => Interlocked.Read(ref _signedInWindow);

    public static TokenPool Presign(SetSource source, string audience, int count) => new(source, audience, source.SignMany(audience, count));

    public byte[] Next()
    {
        var i = Interlocked.Increment(ref _next);
        if (i < tokens.Length)
        {
            // Let each token go once sent: a pool of 200,000 is some 150 MB.
            var token = tokens[i];
            tokens[i] = null!;
            return token;
        }

        Interlocked.Increment(ref _signedInWindow);
        return source.Sign(audience, "load");
    }
}
