namespace SharpSignals.Storage.Events;

/// <summary>An event to append to the log: the SET as it arrived (or as this server first signed it).</summary>
/// <param name="Issuer">The SET's <c>iss</c>; with <paramref name="Jti"/> and <paramref name="Project"/> it identifies the event (duplicates are refused).</param>
/// <param name="Jti">The SET's <c>jti</c>.</param>
/// <param name="Project">The project (tenant) the event belongs to.</param>
/// <param name="EventTypes">The event type URIs of the SET.</param>
/// <param name="Token">The compact SET, kept byte for byte for forwarding and replay.</param>
/// <param name="ReceivedAt">When this server took the event.</param>
public sealed record NewEvent(string Issuer, string Jti, string Project, IReadOnlyList<string> EventTypes, string Token, DateTimeOffset ReceivedAt)
{
    /// <summary>The SET's <c>txn</c>, if any.</summary>
    public string? Txn { get; init; }

    /// <summary>The inbound stream the event came from; null for events published here.</summary>
    public string? SourceStreamId { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the span that took the event in, for the delivery spans to link to; null when not traced.</summary>
    public string? TraceParent { get; init; }

    /// <summary>What a subject search finds the event by: <see cref="EventSubjects.KeysOf"/> of its <c>sub_id</c>; none when it has none.</summary>
    public IReadOnlyList<string> SubjectKeys { get; init; } = [];
}
