using System.Globalization;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.OperatorConsole.DeadLetters;

/// <summary>
/// The dead letters (<c>GET /console/deadletters</c>): across the viewer's streams, newest first, a
/// page at a time by <see cref="IDeliveryStore.ReadDeadLettersPageAsync"/> (one indexed read); retry
/// or discard one or many, as the admin API's <c>/admin/streams/{id}/deadletters/*</c> do.
/// </summary>
internal static class DeadLettersEndpoints
{
    public const int PageSize = 50;

    public const string BasePath = ConsoleSession.BasePath + "/deadletters";

    public static RouteGroupBuilder MapConsoleDeadLetters(this RouteGroupBuilder console)
    {
        console.MapGet("/deadletters", ListAsync);
        console.MapPost("/deadletters/retry", RetryAsync);
        console.MapPost("/deadletters/discard", DiscardAsync);
        return console;
    }

    private static async Task<IResult> ListAsync(HttpContext http, StreamCatalog catalog, IDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        var viewer = page.SignedIn;
        var filter = DeadLetterFilter.From(http.Request.Query, viewer);
        var entries = await deliveries.ReadDeadLettersPageAsync(Streams(filter, viewer, catalog), filter.Before, PageSize, cancellationToken);
        var streams = catalog.All.Where(s => s.IsOutbound && viewer.MaySee(s.Project) && (filter.Project is null || s.Project == filter.Project));
        return ConsoleResults.Page<DeadLettersPage>(new
        {
            Page = page,
            Filter = filter,
            Rows = entries.Select(e => DeadLetterRow.From(e, catalog.Find(e.StreamId)?.Project)).ToList(),
            Next = entries.Count == PageSize ? filter.Url(entries[^1].Id) : null,
            Streams = streams.Select(s => s.StreamId).Order(StringComparer.Ordinal).ToList(),
            Projects = catalog.All.Select(s => s.Project).Where(viewer.MaySee).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        });
    }

    /// <summary>The streams whose dead letters the filter lists: null for every stream (the admin, no filter).</summary>
    private static IReadOnlyCollection<string>? Streams(DeadLetterFilter filter, ConsoleViewer viewer, StreamCatalog catalog)
    {
        if (filter.StreamId is { } asked)
        {
            return catalog.Find(asked) is { } stream && viewer.MaySee(stream.Project) && (filter.Project is null || stream.Project == filter.Project) ? [asked] : [];
        }

        return filter.Project is { } project
            ? catalog.All.Where(s => s.IsOutbound && s.Project == project).Select(s => s.StreamId).ToList()
            : null;
    }

    private static async Task<IResult> RetryAsync(HttpContext http, StreamCatalog catalog, IDeliveryStore deliveries, StreamSignals signals, CancellationToken cancellationToken)
    {
        if (await ReadFormAsync(http, cancellationToken) is not { } form)
        {
            return NotAForm(http);
        }

        var back = ReturnPath(form);
        var selected = Selected(form, http, catalog);
        if (selected.Count == 0)
        {
            return ConsoleNotice.RedirectWith(http, back, "Select at least one dead letter to retry.");
        }

        var count = 0;
        foreach (var (streamId, jtis) in selected)
        {
            count += await DeadLetterRetry.RetryAsync(deliveries, signals, streamId, jtis, cancellationToken);
        }

        return ConsoleNotice.RedirectWith(http, back, $"Retried {Count(count)}: queued again for delivery.");
    }

    /// <summary>Discarding cannot be undone: the first post shows what would go and asks; the confirmed one discards.</summary>
    private static async Task<IResult> DiscardAsync(HttpContext http, StreamCatalog catalog, IDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        if (await ReadFormAsync(http, cancellationToken) is not { } form)
        {
            return NotAForm(http);
        }

        var back = ReturnPath(form);
        var selected = Selected(form, http, catalog);
        if (selected.Count == 0)
        {
            return ConsoleNotice.RedirectWith(http, back, "Select at least one dead letter to discard.");
        }

        if (form["confirm"] != "yes")
        {
            return ConsoleResults.Page<DeadLettersConfirmPage>(new
            {
                Page = ConsolePage.For(http),
                Selection = selected.SelectMany(s => s.Value.Select(jti => DeadLetterRow.Key(s.Key, jti))).ToList(),
                Return = back,
            });
        }

        var count = 0;
        foreach (var (streamId, jtis) in selected)
        {
            count += await deliveries.DiscardDeadLettersAsync(streamId, jtis, cancellationToken);
        }

        return ConsoleNotice.RedirectWith(http, back, $"Discarded {Count(count)}.");
    }

    /// <summary>The posted form; null when the body is not a well-formed form.</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static IResult NotAForm(HttpContext http) =>
        ConsoleResults.Error(http, StatusCodes.Status400BadRequest, "Bad request", "Send the dead-letter form: the selected dead letters as form fields.");

    private static string Count(int count) => count == 1 ? "1 dead letter" : $"{count.ToString(CultureInfo.InvariantCulture)} dead letters";

    /// <summary>The selected dead letters by stream; those of streams the viewer may not see (or that are gone) are left out.</summary>
    private static Dictionary<string, List<string>> Selected(IFormCollection form, HttpContext http, StreamCatalog catalog)
    {
        var viewer = ConsoleViewer.Of(http.User);
        var selected = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var value in form["selected"])
        {
            if (DeadLetterRow.TryParseKey(value, out var streamId, out var jti)
                && catalog.Find(streamId) is { } stream
                && viewer.MaySee(stream.Project))
            {
                if (!selected.TryGetValue(streamId, out var jtis))
                {
                    selected[streamId] = jtis = [];
                }

                jtis.Add(jti);
            }
        }

        return selected;
    }

    /// <summary>Where to go back to: the list with the filters it was posted from; never anywhere outside it.</summary>
    private static string ReturnPath(IFormCollection form) =>
        form["return"].FirstOrDefault() is { } path
            && (path == BasePath || path.StartsWith(BasePath + "?", StringComparison.Ordinal))
            ? path
            : BasePath;
}
