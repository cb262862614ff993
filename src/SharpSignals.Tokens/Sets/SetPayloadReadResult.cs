namespace SharpSignals.Tokens.Sets;

/// <summary>The outcome of reading a SET's claims: the SET, or every problem found.</summary>
/// <param name="Set">The SET when its claims are valid.</param>
/// <param name="Errors">The problems; empty when <paramref name="Set"/> is set.</param>
public sealed record SetPayloadReadResult(SecurityEventToken? Set, IReadOnlyList<string> Errors);
