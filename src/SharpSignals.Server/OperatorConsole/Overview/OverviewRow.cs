using System.Globalization;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.OperatorConsole.Overview;

/// <summary>
/// One stream on the overview: <c>OldestAge</c> is how long its oldest pending entry has waited, in
/// words ("3 min"), and <c>Charts</c> its last hour's delivery, null for an inbound stream, which
/// delivers nothing.
/// </summary>
public sealed record OverviewRow(
    string StreamId,
    string Project,
    string? Description,
    string Direction,
    string Method,
    string Status,
    long Pending,
    DateTimeOffset? OldestPendingAt,
    string? OldestAge,
    long DeadLetters,
    string? LastError,
    DateTimeOffset? FailingSince,
    OverviewCharts? Charts)
{
    internal static OverviewRow From(StreamRoute stream, StreamBacklog backlog, DateTimeOffset? failingSince, DateTimeOffset now, OverviewCharts? charts) => new(
        stream.StreamId,
        stream.Project,
        stream.Configuration.Description,
        stream.Configuration.Direction,
        stream.IsPush ? "push" : "poll",
        stream.Status,
        backlog.Pending,
        backlog.OldestPendingAt,
        backlog.OldestPendingAt is { } oldest ? Age(now - oldest) : null,
        backlog.DeadLetters,
        backlog.LastError,
        failingSince,
        charts);

    /// <summary>
    /// Failing: its pushes are being retried on this node (<c>FailingStreams</c>), or it has pending
    /// entries and a last error, which any node of a cluster sees in the store.
    /// </summary>
    public bool IsFailing => FailingSince is not null || (Pending > 0 && LastError is not null);

    /// <summary>A wait in the largest units that say it well: "40 s", "3 min", "2 h 5 min", "3 d 4 h".</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? $"{(int)age.TotalSeconds} s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min"
            : age.TotalDays < 1 ? (age.Minutes == 0 ? $"{(int)age.TotalHours} h" : $"{(int)age.TotalHours} h {age.Minutes} min")
            : age.Hours == 0 ? $"{(int)age.TotalDays} d" : $"{(int)age.TotalDays} d {age.Hours} h";
    }
}

/// <summary>
/// An outbound stream's last hour a minute at a time, every node's (<see cref="DeliveryHistory"/>):
/// entries delivered and the share of attempts that failed (null in a minute without attempts),
/// each with what its chart shows in words.
/// </summary>
public sealed record OverviewCharts(IReadOnlyList<double?> Delivered, IReadOnlyList<double?> ErrorRate, string DeliveredLabel, string ErrorRateLabel)
{
    internal static OverviewCharts From(IReadOnlyList<HistoryPoint> hour)
    {
        var delivered = new double?[hour.Count];
        var errorRate = new double?[hour.Count];
        long deliveredTotal = 0, failedTotal = 0, busiest = 0;
        for (var i = 0; i < hour.Count; i++)
        {
            var point = hour[i];
            delivered[i] = point.Delivered;
            errorRate[i] = point.ErrorRate;
            deliveredTotal += point.Delivered;
            failedTotal += point.Failed;
            busiest = Math.Max(busiest, point.Delivered);
        }

        var attempts = deliveredTotal + failedTotal;
        return new OverviewCharts(
            delivered,
            errorRate,
            string.Create(CultureInfo.InvariantCulture, $"Delivered per minute, last hour: {deliveredTotal} in all, at most {busiest} in a minute"),
            attempts == 0
                ? "Error rate per minute, last hour: no attempts"
                : string.Create(CultureInfo.InvariantCulture, $"Error rate per minute, last hour: {failedTotal} of {attempts} attempts failed ({(double)failedTotal / attempts:0.#%})"));
    }
}
