using System.Text.RegularExpressions;

namespace SharpSignals.Tokens.Subjects;

/// <summary>Syntax checks for identifier members, kept deliberately loose where the RFCs are.</summary>
internal static partial class SubjectSyntax
{
    /// <summary>An addr-spec with a local part and a domain; RFC 5322 is far wider, receivers need only this much.</summary>
    public static bool IsEmail(string value)
    {
        var at = value.LastIndexOf('@');
        return at > 0 && at < value.Length - 1 && !value.AsSpan().ContainsAny(' ', '\t', '\n');
    }

    /// <summary>ITU-T E.164: a plus sign, then up to fifteen digits not starting with 0.</summary>
    public static bool IsE164(string value) => E164().IsMatch(value);

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
