using System.Globalization;
using SharpSignals.Server.Http;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;
using SharpSignals.Server.StreamApi;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.OperatorConsole.Streams;

/// <summary>
/// One stream's page (<c>GET /console/streams/{id}</c>): its configuration and subjects, delivery
/// charts, its recent entries with each attempt, and the actions on it, which go through the same
/// services as the stream management API (<see cref="StreamControls"/>) and the admin replay
/// (<see cref="StreamReplay"/>).
/// </summary>
internal static class StreamPageEndpoints
{
    public const int PageSize = 50;

    public static RouteGroupBuilder MapConsoleStream(this RouteGroupBuilder console)
    {
        console.MapGet("/streams/{streamId}", ShowAsync);
        console.MapPost("/streams/{streamId}/status", SetStatusAsync);
        console.MapPost("/streams/{streamId}/verify", VerifyAsync);
        console.MapPost("/streams/{streamId}/replay", ReplayAsync);
        return console;
    }

    /// <summary>The page's URL for a stream, with an optional query string.</summary>
    public static string Url(string streamId, string? query = null) =>
        $"{ConsoleSession.BasePath}/streams/{Uri.EscapeDataString(streamId)}{(string.IsNullOrEmpty(query) ? "" : "?" + query)}";

    private static async Task<IResult> ShowAsync(
        string streamId,
        HttpContext http,
        StreamCatalog catalog,
        IStreamStore streams,
        IDeliveryStore deliveries,
        DeliveryHistory history,
        CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        if (Find(catalog, page.SignedIn, streamId) is not { } route || await streams.GetStreamAsync(streamId, cancellationToken) is not { } record)
        {
            return ConsoleResults.NotFound(http, "such stream");
        }

        var view = StreamView.From(http.Request.Query);
        var backlog = await deliveries.GetBacklogAsync(streamId, cancellationToken);

        // One more than a page tells whether there is another page beyond it.
        var read = await deliveries.ReadStreamEntriesAsync(streamId, view.State, view.Before, view.After, PageSize + 1, cancellationToken);
        var goingNewer = view.After is not null && view.Before is null;
        var more = read.Count > PageSize;
        var entries = (goingNewer && more ? read.Skip(1) : read.Take(PageSize)).Select(StreamEntryRow.From).ToList();
        var subjects = await streams.ListSubjectsAsync(streamId, cancellationToken);
        var range = view.Day ? HistoryRange.Day : HistoryRange.Hour;

        return ConsoleResults.Page<StreamPage>(new
        {
            Page = page,
            View = view,
            Stream = StreamSummary.From(route, record, backlog),
            Charts = StreamCharts.From(history.Read(streamId, range), view.Day),
            Entries = entries,
            Newer = entries.Count > 0 && (goingNewer ? more : view.Before is not null) ? view.Url(streamId, after: entries[0].Position) : null,
            Older = entries.Count > 0 && (goingNewer || more) ? view.Url(streamId, before: entries[^1].Position) : null,
            Subjects = subjects.Skip(view.SubjectPage * PageSize).Take(PageSize).Select(StreamSubjectRow.From).ToList(),
            SubjectCount = subjects.Count,
        });
    }

    /// <summary>Pause, resume, disable or enable: SSF 1.0 §8.1.2.2 as <c>POST /ssf/status</c> does it.</summary>
    private static async Task<IResult> SetStatusAsync(string streamId, HttpContext http, StreamCatalog catalog, IStreamStore streams, StreamControls controls, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        if (await FindRecordAsync(http, catalog, streams, streamId, cancellationToken) is not { } record)
        {
            return ConsoleResults.NotFound(http, "such stream");
        }

        var status = form["status"].ToString();
        if (status == StreamStatuses.Disabled && form["confirm"].ToString() != "yes")
        {
            return ConsoleResults.Error(http, StatusCodes.Status400BadRequest, "Not disabled", "Disabling drops every pending entry of the stream: tick the box that confirms it. Nothing was changed.");
        }

        var reason = form["reason"].ToString() is { Length: > 0 } given ? given : null;
        var wasPaused = record.Status == StreamStatuses.Paused;
        if ((await controls.SetStatusAsync(record, status, reason, cancellationToken)).Failed(out var failure, out _))
        {
            return Refused(http, failure, "The status was not changed");
        }

        var done = status switch
        {
            StreamStatuses.Paused => "Paused: entries are held until the stream is resumed.",
            StreamStatuses.Disabled => "Disabled: its pending entries were dropped, and nothing is kept until it is enabled.",
            _ => wasPaused ? "Resumed: held entries are delivered again." : "Enabled.",
        };
        return ConsoleNotice.RedirectWith(http, Url(streamId), done);
    }

    /// <summary>SSF 1.0 §8.1.4.2, as <c>POST /ssf/verify</c> does it.</summary>
    private static async Task<IResult> VerifyAsync(string streamId, HttpContext http, StreamCatalog catalog, IStreamStore streams, StreamControls controls, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        if (await FindRecordAsync(http, catalog, streams, streamId, cancellationToken) is not { } record)
        {
            return ConsoleResults.NotFound(http, "such stream");
        }

        var state = form["state"].ToString() is { Length: > 0 } given ? given : null;
        if ((await controls.VerifyAsync(record, state, cancellationToken)).Failed(out var failure))
        {
            return Refused(http, failure, "No verification was asked for");
        }

        return ConsoleNotice.RedirectWith(http, Url(streamId), "Verification event queued.");
    }

    /// <summary>
    /// Replay from a time, a <c>jti</c> or a position: with <c>dry_run</c> it only counts and shows the
    /// count with a button that sends the same replay for real.
    /// </summary>
    private static async Task<IResult> ReplayAsync(string streamId, HttpContext http, StreamCatalog catalog, StreamReplay replay, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var page = ConsolePage.For(http);
        if (Find(catalog, page.SignedIn, streamId) is null)
        {
            return ConsoleResults.NotFound(http, "such stream");
        }

        var request = ReplayForm.From(form);
        if (request.Start() is not { } start)
        {
            return ConsoleResults.Error(http, StatusCodes.Status400BadRequest, "Nothing replayed", request.Problem);
        }

        var count = await replay.ReplayAsync(streamId, start, request.DryRun, cancellationToken);
        if (request.DryRun)
        {
            return ConsoleResults.Page<ReplayConfirmPage>(new { Page = page, StreamId = streamId, Request = request, Count = count });
        }

        return ConsoleNotice.RedirectWith(http, Url(streamId), $"Replayed: {count} {(count == 1 ? "SET is" : "SETs are")} queued to be sent again.");
    }

    /// <summary>The stream, if there is one and the viewer may see its project; null answers 404 either way.</summary>
    internal static StreamRoute? Find(StreamCatalog catalog, ConsoleViewer viewer, string streamId) =>
        catalog.Find(streamId) is { } route && viewer.MaySee(route.Project) ? route : null;

    private static async Task<StreamRecord?> FindRecordAsync(HttpContext http, StreamCatalog catalog, IStreamStore streams, string streamId, CancellationToken cancellationToken) =>
        Find(catalog, ConsoleViewer.Of(http.User), streamId) is null ? null : await streams.GetStreamAsync(streamId, cancellationToken);

    /// <summary>What the stream API would have answered with a problem, as a console error page with the same status.</summary>
    private static IResult Refused(HttpContext http, Failure failure, string title)
    {
        if (failure.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return ConsoleResults.Error(http, failure.Status, title, failure.Detail + " Nothing was changed.");
    }
}
