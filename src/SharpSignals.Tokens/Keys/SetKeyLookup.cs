using Microsoft.IdentityModel.Tokens;

namespace SharpSignals.Tokens.Keys;

/// <summary>What a key source found for a <c>kid</c>, and whether the answer may change soon.</summary>
/// <param name="Keys">The candidate keys; empty when none is known.</param>
/// <param name="RetryAfter">
/// Set when the <c>kid</c> is unknown and the issuer's keys were not fetched again for it (the refresh
/// cooldown holds, or the refetch failed): the issuer may just have rotated, so the SET should be
/// offered again after this long rather than refused for good. Null when the answer is final.
/// </param>
public readonly record struct SetKeyLookup(IReadOnlyList<SecurityKey> Keys, TimeSpan? RetryAfter);
