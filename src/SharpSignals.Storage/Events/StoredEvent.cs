namespace SharpSignals.Storage.Events;

/// <summary>An event in the log.</summary>
/// <param name="Position">Its place in the log: unique and increasing, never reused.</param>
/// <param name="Issuer">The SET's <c>iss</c>.</param>
/// <param name="Jti">The SET's <c>jti</c>.</param>
/// <param name="Project">The project it belongs to.</param>
/// <param name="EventTypes">The event type URIs.</param>
/// <param name="Token">The compact SET as it was appended.</param>
/// <param name="ReceivedAt">When it was appended.</param>
/// <param name="Txn">The SET's <c>txn</c>, if any.</param>
/// <param name="SourceStreamId">The inbound stream it came from, if any.</param>
public sealed record StoredEvent(
    long Position,
    string Issuer,
    string Jti,
    string Project,
    IReadOnlyList<string> EventTypes,
    string Token,
    DateTimeOffset ReceivedAt,
    string? Txn,
    string? SourceStreamId);
