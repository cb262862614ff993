using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.OperatorConsole.Overview;

/// <summary>
/// The overview (<c>GET /console</c>): every stream the viewer may see, by project, with its state,
/// delivery method and backlog, a page at a time, filtered by project, direction and status.
/// </summary>
internal static class OverviewEndpoints
{
    public const int PageSize = 50;

    public static RouteGroupBuilder MapConsoleOverview(this RouteGroupBuilder console)
    {
        console.MapGet("/", ShowAsync);
        return console;
    }

    private static async Task<IResult> ShowAsync(HttpContext http, StreamCatalog catalog, IDeliveryStore deliveries, FailingStreams failing, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        var filter = OverviewFilter.From(http.Request.Query, page.SignedIn);
        var matching = catalog.All
            .Where(filter.Matches)
            .OrderBy(s => s.Project, StringComparer.Ordinal)
            .ThenBy(s => s.StreamId, StringComparer.Ordinal)
            .ToList();
        var shown = matching.Skip(filter.PageIndex * PageSize).Take(PageSize).ToList();

        // One read for the page's backlogs, not one per stream.
        var backlogs = await deliveries.GetBacklogsAsync([.. shown.Select(s => s.StreamId)], cancellationToken);
        var rows = shown.Select(stream => OverviewRow.From(stream, backlogs[stream.StreamId], failing.FailingSince(stream.StreamId))).ToList();

        return ConsoleResults.Page<OverviewPage>(new
        {
            Page = page,
            Filter = filter,
            Rows = rows,
            Total = matching.Count,
            Projects = catalog.All.Select(s => s.Project).Where(page.SignedIn.MaySee).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        });
    }
}

/// <summary>The overview's filters, from its query string; a project-scoped viewer's project always applies.</summary>
public sealed record OverviewFilter(string? Project, string? Direction, string? Status, int PageIndex)
{
    public static OverviewFilter From(IQueryCollection query, ConsoleViewer viewer) => new(
        viewer.Scope(query["project"].FirstOrDefault()),
        query["direction"].FirstOrDefault() is "outbound" or "inbound" ? query["direction"].FirstOrDefault() : null,
        query["status"].FirstOrDefault() is "enabled" or "paused" or "disabled" ? query["status"].FirstOrDefault() : null,
        int.TryParse(query["page"].FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index is > 0 and < 1_000_000 ? index - 1 : 0);

    internal bool Matches(StreamRoute stream) =>
        (Project is null || stream.Project == Project)
        && (Direction is null || stream.Configuration.Direction == Direction)
        && (Status is null || stream.Status == Status);

    /// <summary>The overview's URL with these filters on page <paramref name="index"/> (from 0).</summary>
    public string Url(int index)
    {
        var parameters = new List<string>();
        Add("project", Project);
        Add("direction", Direction);
        Add("status", Status);
        Add("page", index > 0 ? (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        return ConsoleSession.BasePath + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : "");

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
    }
}

/// <summary>One stream on the overview.</summary>
public sealed record OverviewRow(
    string StreamId,
    string Project,
    string Direction,
    string Method,
    string Status,
    long Pending,
    DateTimeOffset? OldestPendingAt,
    long DeadLetters,
    string? LastError,
    DateTimeOffset? FailingSince)
{
    internal static OverviewRow From(StreamRoute stream, StreamBacklog backlog, DateTimeOffset? failingSince) => new(
        stream.StreamId,
        stream.Project,
        stream.Configuration.Direction,
        stream.IsPush ? "push" : "poll",
        stream.Status,
        backlog.Pending,
        backlog.OldestPendingAt,
        backlog.DeadLetters,
        backlog.LastError,
        failingSince);

    /// <summary>Failing: its pushes are being retried here, or it has pending entries whose last attempt failed.</summary>
    public bool IsFailing => FailingSince is not null || (Pending > 0 && LastError is not null);
}
