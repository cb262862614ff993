using System.Text.RegularExpressions;

namespace SharpSignals.Server.Auth;

/// <summary>Project names: short, URL-safe.</summary>
internal static partial class ProjectNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
