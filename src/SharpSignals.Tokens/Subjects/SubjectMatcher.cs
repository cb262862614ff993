namespace SharpSignals.Tokens.Subjects;

/// <summary>The SSF 1.0 §3.3 subject matching rules, used to filter events by a stream's subjects.</summary>
internal static class SubjectMatcher
{
    public static bool Matches(SubjectIdentifier a, SubjectIdentifier b) => (a, b) switch
    {
        (ComplexSubject x, ComplexSubject y) => ComplexMatches(x, y),

        // A simple identifier describes one facet of a principal; it matches a complex subject that
        // holds the same identifier in any member (SSF is silent on mixing the two kinds).
        (ComplexSubject x, _) => x.Members.Values.Any(m => Matches(m, b)),
        (_, ComplexSubject y) => y.Members.Values.Any(m => Matches(a, m)),

        // RFC 9493 §3.2.8: every alias names the same subject.
        (AliasesSubject x, _) => x.Identifiers.Any(i => Matches(i, b)),
        (_, AliasesSubject y) => y.Identifiers.Any(i => Matches(a, i)),

        // Simple subjects match only when identical.
        _ => a.CanonicalKey == b.CanonicalKey,
    };

    /// <summary>
    /// Every member present on both sides must match; a member missing on one side is a wildcard.
    /// At least one member must be shared: two subjects with nothing in common give no evidence that
    /// they are the same principal.
    /// </summary>
    private static bool ComplexMatches(ComplexSubject x, ComplexSubject y)
    {
        var shared = 0;
        foreach (var (name, member) in x.Members)
        {
            if (y.Members.TryGetValue(name, out var other))
            {
                if (!Matches(member, other))
                {
                    return false;
                }

                shared++;
            }
        }

        return shared > 0;
    }
}
