using System.Globalization;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// The addresses of <c>--urls</c> as Kestrel takes them. Kestrel itself reads a port it cannot
/// parse as no port at all and listens on every interface at port 80, so a typo would serve
/// somewhere else than meant instead of stopping the start.
/// </summary>
internal static class ListenUrl
{
    public static bool IsValid(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0 || url[..schemeEnd] is not ("http" or "https"))
        {
            return false;
        }

        var authority = url[(schemeEnd + 3)..];
        if (authority.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || authority.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
        {
            return authority.Length > 5;
        }

        var pathStart = authority.IndexOf('/', StringComparison.Ordinal);
        if (pathStart >= 0)
        {
            authority = authority[..pathStart];
        }

        // The port follows the last colon outside an IPv6 literal's brackets.
        var portStart = authority.LastIndexOf(':');
        if (portStart < 0 || portStart < authority.LastIndexOf(']'))
        {
            return authority.Length > 0;
        }

        return portStart > 0
            && int.TryParse(authority[(portStart + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is >= 0 and <= 65535;
    }
}
