using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Replay (docs/ARCHITECTURE.md, "The path of one event", step 4): a stream's delivered entries
/// queued again from a point on, the same SETs in order, and its waiters woken on every node. The
/// admin API (<c>POST /admin/streams/{id}/replay</c>) and the console's stream page both replay here.
/// </summary>
internal sealed class StreamReplay(IDeliveryStore deliveries, StreamSignals signals)
{
    /// <summary>Replays from exactly one of a position, a time or a <c>jti</c>; a dry run only counts.</summary>
    /// <returns>How many SETs were (or, in a dry run, would be) queued again.</returns>
    public async Task<int> ReplayAsync(string streamId, ReplayStart start, bool dryRun, CancellationToken cancellationToken)
    {
        var replayed = await deliveries.ReplayAsync(streamId, start.Position, start.Time, start.Jti, dryRun, cancellationToken);
        if (!dryRun)
        {
            signals.Notify(streamId);
        }

        return replayed;
    }
}

/// <summary>Where a replay starts: exactly one of these is set (<see cref="TryCreate"/>).</summary>
/// <param name="Position">The first entry at or after this position.</param>
/// <param name="Time">The first entry queued at or after this time.</param>
/// <param name="Jti">The entry with this <c>jti</c> on the stream.</param>
internal sealed record ReplayStart(long? Position, DateTimeOffset? Time, string? Jti)
{
    /// <summary>A start from what was given, or null unless exactly one was.</summary>
    public static ReplayStart? TryCreate(long? position, DateTimeOffset? time, string? jti) =>
        new object?[] { position, time, jti }.Count(v => v is not null) == 1 ? new ReplayStart(position, time, jti) : null;
}
