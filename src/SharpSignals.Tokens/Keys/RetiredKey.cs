namespace SharpSignals.Tokens.Keys;

/// <summary>A key that no longer signs, kept for verification until it may be dropped.</summary>
/// <param name="Key">The key.</param>
/// <param name="RetiredAt">When it stopped signing.</param>
public sealed record RetiredKey(SetSigningKey Key, DateTimeOffset RetiredAt);
