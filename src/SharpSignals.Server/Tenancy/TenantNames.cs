using System.Text.RegularExpressions;

namespace SharpSignals.Server.Tenancy;

/// <summary>Tenant names: one lower-case URL path segment, so that <c>/t/{name}</c> is the same however a client spells the host.</summary>
internal static partial class TenantNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
