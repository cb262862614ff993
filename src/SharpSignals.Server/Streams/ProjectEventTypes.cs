using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Streams;

/// <summary>
/// The event types of a project (docs/GUIDE.md, "Publishing events"): the catalog's and the custom types the
/// operator declared, for every project or for this one (<see cref="EventTypeOptions"/>). Streams may
/// ask for them and <c>POST /events</c> takes them; any other type is refused, with the known type it
/// was probably meant to be, so that a misspelt type is never stored and routed nowhere.
/// </summary>
internal sealed class ProjectEventTypes
{
    /// <summary>The catalog's types a stream may ask for: without the SSF stream events that every stream gets.</summary>
    public static readonly IReadOnlyList<string> Catalog =
        EventCatalog.All.Where(d => d.Family != EventFamily.Ssf).Select(d => d.Uri).ToList();

    /// <summary>Longer types than this get no guess: longer than any catalog URI by far.</summary>
    private const int MaxGuessedLength = 256;

    private readonly string[] _global;
    private readonly Dictionary<string, string[]> _byProject;

    public ProjectEventTypes(IOptions<EventTypeOptions> options)
    {
        _global = [.. options.Value.CustomTypes.Distinct(StringComparer.Ordinal)];
        _byProject = options.Value.Projects.ToDictionary(
            p => p.Key,
            p => _global.Concat(p.Value.CustomTypes).Distinct(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>The custom types the project may publish and route: the global ones and its own.</summary>
    public IReadOnlyList<string> Custom(string project) => _byProject.GetValueOrDefault(project) ?? _global;

    /// <summary>Every type a stream of the project may ask for: the catalog's, then the custom ones.</summary>
    public IReadOnlyList<string> Supported(string project) => Custom(project) is { Count: > 0 } custom ? [.. Catalog, .. custom] : Catalog;

    /// <summary>
    /// The URI an event published into <paramref name="project"/> is stored under: a catalog or custom URI
    /// as given, a catalog short name (<c>session-revoked</c>, as <c>ssf</c> teaches them) as its URI; or,
    /// for any other type, why it is refused.
    /// </summary>
    public (string? Uri, string? Error) Resolve(string project, string type)
    {
        var custom = Custom(project);
        if (EventCatalog.TryGet(type, out _) || custom.Contains(type, StringComparer.Ordinal))
        {
            return (type, null);
        }

        if (EventCatalog.TryFind(type, out var named))
        {
            return (named.Uri, null);
        }

        var meant = Closest(type, custom);
        return (null, $"unknown event type '{type}'{(meant is null ? "" : $" (did you mean '{meant}'?)")}: an event type is a URI from the catalog (ssf event types lists them) or a custom type the operator declared");
    }

    /// <summary>The known type closest to a refused one: one whose short name it ends with, else the fewest edits away, if few enough.</summary>
    private static string? Closest(string type, IReadOnlyList<string> custom)
    {
        // Edits cost the product of both lengths, and a refused type may be as long as the body.
        if (type.Length > MaxGuessedLength)
        {
            return null;
        }

        // A catalog event under another prefix: urn:example:session-revoked, .../caep/.../account-disabled.
        if (EventCatalog.All.FirstOrDefault(d => type.EndsWith("/" + d.Name, StringComparison.OrdinalIgnoreCase) || type.EndsWith(":" + d.Name, StringComparison.OrdinalIgnoreCase)) is { } suffix)
        {
            return suffix.Uri;
        }

        var candidates = EventCatalog.All.SelectMany(d => new[] { (Text: d.Uri, Uri: d.Uri), (Text: d.Name, Uri: d.Uri) })
            .Concat(custom.Select(c => (Text: c, Uri: c)));
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var (text, uri) in candidates)
        {
            var distance = Spelling.Distance(type, text);
            if (distance < bestDistance && distance <= Math.Max(2, Math.Min(type.Length, text.Length) / 5))
            {
                (best, bestDistance) = (uri, distance);
            }
        }

        return best;
    }
}
