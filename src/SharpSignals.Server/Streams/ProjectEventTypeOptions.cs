namespace SharpSignals.Server.Streams;

/// <summary>The <c>SharpSignals:Events:Projects:{project}</c> section: the custom event types of one project.</summary>
internal sealed record ProjectEventTypeOptions
{
    /// <summary>Event type URIs this project may publish and route, besides the catalog's and the global custom types.</summary>
    public string[] CustomTypes { get; init; } = [];
}
