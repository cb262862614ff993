namespace SharpSignals.Server.OperatorConsole.History;

/// <summary>
/// One point of a stream's charts: what every node delivered in the period that began at
/// <paramref name="Start"/>, and the backlog sampled in it (docs/OPERATIONS.md, "Console history").
/// </summary>
/// <param name="Start">When the period began (UTC).</param>
/// <param name="Delivered">Pushes answered 2xx and entries a poll acknowledged.</param>
/// <param name="Failed">Push attempts that failed (err, 4xx, 5xx, time-out, network) and entries a poll reported in <c>setErrs</c>.</param>
/// <param name="Backlog">Pending entries at the end of a minute, the largest in the period; null when none was sampled (nothing pending, or no node running).</param>
/// <param name="LagSeconds">Age of the oldest pending entry, sampled with <paramref name="Backlog"/>, the largest in the period.</param>
internal readonly record struct HistoryPoint(DateTimeOffset Start, long Delivered, long Failed, long? Backlog, double? LagSeconds)
{
    /// <summary>Failed / (Delivered + Failed); null when nothing was attempted.</summary>
    public double? ErrorRate => Delivered + Failed is > 0 and var attempted ? (double)Failed / attempted : null;
}
