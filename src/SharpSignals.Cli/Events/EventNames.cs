using SharpSignals.Cli.Shell;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Cli.Events;

/// <summary>Event types as operators name them: the catalog's short names (<c>session-revoked</c>, <c>prov:create:full</c>) or full URIs.</summary>
internal static class EventNames
{
    /// <summary>The URI of a short name or URI; an unknown short name is an input error.</summary>
    public static string Resolve(string nameOrUri)
    {
        var text = nameOrUri.Trim();
        if (EventCatalog.TryFind(text, out var descriptor))
        {
            return descriptor.Uri;
        }

        // A type outside the catalog is still a valid SET event type when written as a URI.
        if (text.Contains("://", StringComparison.Ordinal) || text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        throw CliException.Usage($"unknown event type '{text}': use a name from `ssf event types` or a full URI");
    }

    /// <summary>Every value of a repeatable option, each of which may also be a comma-separated list.</summary>
    public static IReadOnlyList<string> ResolveAll(IEnumerable<string>? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(Resolve).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The short name of a URI in the catalog, else the URI.</summary>
    public static string Short(string uri) => EventCatalog.TryGet(uri, out var descriptor) ? descriptor.Name : uri;
}
