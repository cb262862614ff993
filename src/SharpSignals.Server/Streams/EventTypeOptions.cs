namespace SharpSignals.Server.Streams;

/// <summary>
/// The <c>SharpSignals:Events</c> section: event types outside the catalog that the operator declares,
/// for every project (<c>CustomTypes</c>) or for one (<c>Projects:{project}:CustomTypes</c>). Streams
/// may ask for them and <c>POST /events</c> takes them; any other type outside the catalog is refused.
/// </summary>
internal sealed record EventTypeOptions
{
    public const string Section = "SharpSignals:Events";

    /// <summary>Event type URIs every project may publish and route, besides the catalog's.</summary>
    public string[] CustomTypes { get; init; } = [];

    /// <summary>Per project (by name), the event type URIs that project may publish and route besides.</summary>
    public Dictionary<string, ProjectEventTypeOptions> Projects { get; init; } = new(StringComparer.Ordinal);
}
