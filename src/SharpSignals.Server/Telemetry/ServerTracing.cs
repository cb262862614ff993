using System.Diagnostics;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Telemetry;

/// <summary>
/// The server's spans (docs/OPERATIONS.md, "Metrics and traces"): an intake (publish, a SET pushed
/// or polled in) is a span, its append-and-route commit a child, and each delivery of the event to
/// a stream (push attempt, poll hand-out, real-time send) a span of its own, linked to the intake
/// across the queue through the W3C <c>traceparent</c> kept with the stored event. With no listener
/// (no tracing configured) every Start returns null at the cost of one check.
/// </summary>
internal static class ServerTracing
{
    /// <summary>The activity source; its name falls under <see cref="ServerMetrics.Wildcard"/>.</summary>
    public static readonly ActivitySource Source = new(ServerMetrics.MeterName);

    /// <summary>The intake span of a publish or a received SET.</summary>
    public static Activity? StartIntake(string name, string project, string? streamId = null)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("sharpsignals.project", project);
            if (streamId is not null)
            {
                activity.SetTag("sharpsignals.stream_id", streamId);
            }
        }

        return activity;
    }

    /// <summary>The append-and-route commit, a child of the intake span.</summary>
    public static Activity? StartCommit(int streams)
    {
        var activity = Source.StartActivity("sharpsignals.append_and_route", ActivityKind.Internal);
        activity?.SetTag("sharpsignals.streams", streams);
        return activity;
    }

    /// <summary>
    /// The trace context to keep with an event (W3C <c>traceparent</c>): the current span's when it
    /// is recorded, else null. ASP.NET Core starts an activity for every request even when nothing
    /// traces, and keeping its id would cost every event a string and its row 55 bytes for nothing.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>One delivery of an event to a stream, linked to the intake span its <paramref name="traceParent"/> names.</summary>
    public static Activity? StartDelivery(string name, string streamId, string jti, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = traceParent is not null && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var intake)
            ? [new ActivityLink(intake)]
            : null;
        var activity = Source.StartActivity(name, ActivityKind.Producer, parentContext: default, tags: null, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("sharpsignals.stream_id", streamId);
            activity.SetTag("sharpsignals.jti", jti);
        }

        return activity;
    }

    /// <summary>
    /// A poll answer handing out the first <paramref name="count"/> of <paramref name="entries"/>: one
    /// span, linked to each entry's intake span (a batch of a thousand is one span, not a thousand).
    /// </summary>
    public static void HandedOut(string streamId, IReadOnlyList<DeliveryEntry> entries, int count)
    {
        if (count == 0 || !Source.HasListeners())
        {
            return;
        }

        var links = new List<ActivityLink>(count);
        for (var i = 0; i < count; i++)
        {
            if (entries[i].TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var intake))
            {
                links.Add(new ActivityLink(intake));
            }
        }

        using var activity = Source.StartActivity("sharpsignals.poll.handout", ActivityKind.Producer, parentContext: default, tags: null, links: links);
        activity?.SetTag("sharpsignals.stream_id", streamId);
        activity?.SetTag("sharpsignals.entries", count);
    }

    /// <summary>Marks a span failed with a short reason (never a token or a credential).</summary>
    public static void Failed(Activity? activity, string reason) =>
        activity?.SetStatus(ActivityStatusCode.Error, reason);
}
