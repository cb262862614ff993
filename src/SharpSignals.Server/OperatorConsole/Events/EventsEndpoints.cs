using System.Buffers;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Intake;
using SharpSignals.Server.Keys;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.OperatorConsole.Events;

/// <summary>
/// The events pages: the search (<c>GET /console/events</c>, <see cref="IEventLog.SearchAsync"/> as
/// <c>GET /admin/events</c> uses it: one indexed read of a page) and one event
/// (<c>GET /console/events/{jti}</c>, what <c>GET /events/{jti}</c> shows: its claims, its token and
/// where it went).
/// </summary>
internal static class EventsEndpoints
{
    public const int PageSize = 50;

    public const string BasePath = ConsoleSession.BasePath + "/events";

    public static RouteGroupBuilder MapConsoleEvents(this RouteGroupBuilder console)
    {
        console.MapGet("/events", SearchAsync);
        console.MapGet("/events/{jti}", ShowAsync);
        return console;
    }

    /// <summary>The URL of an event's page; the project tells apart copies of one SET stored in several projects.</summary>
    public static string EventUrl(string jti, string? project = null) =>
        $"{BasePath}/{Uri.EscapeDataString(jti)}" + (project is null ? "" : $"?project={Uri.EscapeDataString(project)}");

    private static async Task<IResult> SearchAsync(HttpContext http, IEventLog log, StreamCatalog catalog, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        var viewer = page.SignedIn;
        var search = EventSearch.Read(http.Request.Query, viewer);

        // A jti names one event: go straight to it (its own jti, or a SET's delivered for it).
        string? notFound = null;
        if (search.Jti is { } jti && search.Error is null)
        {
            if (await log.FindByJtiAsync(search.Project, jti, cancellationToken) is { } found)
            {
                return Results.Redirect(EventUrl(found.Jti, found.Project));
            }

            notFound = $"There is no event with jti {jti}.";
        }

        IReadOnlyList<StoredEvent> events = search.Error is null && notFound is null
            ? await log.SearchAsync(search.ToQuery(PageSize), cancellationToken)
            : [];
        var sources = catalog.All.Where(s => !s.IsOutbound && viewer.MaySee(s.Project)).Select(s => s.StreamId).Order(StringComparer.Ordinal).ToList();
        return ConsoleResults.Page<EventsPage>(new
        {
            Page = page,
            Search = search,
            Error = search.Error ?? notFound,
            Rows = events.Select(EventRow.From).ToList(),
            Next = events.Count == PageSize ? search.Url(events[^1].Position) : null,
            EventTypes = EventCatalog.All.Select(d => d.Uri).Order(StringComparer.Ordinal).ToList(),
            Sources = sources,
            Projects = catalog.All.Select(s => s.Project).Where(viewer.MaySee).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        });
    }

    private static async Task<IResult> ShowAsync(string jti, HttpContext http, IEventLog log, IDeliveryStore deliveries, StreamCatalog catalog, SetIssuer issuer, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        var viewer = page.SignedIn;

        // A project-scoped viewer finds their project's copy only; another project's is not there for them.
        var project = viewer.Scope(http.Request.Query["project"].FirstOrDefault());
        if (await StoredEventDetail.FindAsync(log, deliveries, project, jti, cancellationToken) is not { } found || !viewer.MaySee(found.Event.Project))
        {
            return ConsoleResults.NotFound(http, $"event '{jti}'");
        }

        var routes = found.Deliveries
            .Where(d => catalog.Find(d.StreamId) is not { } stream || viewer.MaySee(stream.Project))
            .Select(d => EventRouteView.From(d, catalog.Find(d.StreamId) is not null))
            .ToList();
        return ConsoleResults.Page<EventPage>(new
        {
            Page = page,
            Event = EventRow.From(found.Event),
            Claims = Indented(found.Claims),
            // As GET /events/{jti}: a locally published event is kept unsigned and signed here, on read.
            Token = issuer.SignStored(found.Event.Token, TenantProjects.TenantOf(found.Event.Project)),
            Routes = routes,
        });
    }

    private static string Indented(JsonElement claims)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            claims.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
