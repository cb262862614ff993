namespace SharpSignals.Server.Configuration;

/// <summary>
/// How far apart two names are, to suggest the one an operator probably meant (a misspelt setting,
/// a misspelt event type). Written here because neither the BCL nor a package this project uses
/// offers it (System.CommandLine's suggestions are internal to it).
/// </summary>
internal static class Spelling
{
    /// <summary>Levenshtein distance, ignoring case: the fewest insertions, deletions and substitutions from one to the other.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
