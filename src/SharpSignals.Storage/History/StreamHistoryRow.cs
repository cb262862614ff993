namespace SharpSignals.Storage.History;

/// <summary>
/// One stream's delivery figures over one period (a minute as a node writes it, or a longer period as
/// a read adds the nodes' minutes up).
/// </summary>
/// <param name="StreamId">The outbound stream.</param>
/// <param name="Start">When the period began (UTC, on a whole minute).</param>
/// <param name="Delivered">Entries delivered: pushes answered 2xx, poll acknowledgements.</param>
/// <param name="Failed">Push attempts that failed (err, 4xx, 5xx, time-out, network) and poll <c>setErrs</c>.</param>
/// <param name="Backlog">Pending entries when sampled; null when the period has no sample.</param>
/// <param name="LagSeconds">Age of the oldest pending entry when sampled; null when the period has no sample.</param>
public sealed record StreamHistoryRow(string StreamId, DateTimeOffset Start, long Delivered, long Failed, long? Backlog, double? LagSeconds);
