using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;

namespace SharpSignals.Server.OperatorConsole.Overview;

/// <summary>
/// The overview (<c>GET /console</c>): every stream the viewer may see, by project, with its state,
/// delivery method, backlog and the last hour's delivery charts, a page at a time, filtered by
/// project, direction, status, text and failing; and the live values of the rows a page shows
/// (<c>GET /console/overview/live</c>), a Server-Sent Event every <see cref="OverviewData.Interval"/>
/// that <c>overview.js</c> puts in the page.
/// </summary>
internal static partial class OverviewEndpoints
{
    /// <summary>
    /// How long one live response lasts before it ends and the browser's EventSource reconnects: the
    /// session is checked again then, so a page left open does not outlive its session.
    /// </summary>
    private static readonly TimeSpan LiveFor = TimeSpan.FromMinutes(5);

    public static IServiceCollection AddConsoleOverview(this IServiceCollection services) => services.AddSingleton<OverviewData>();

    public static RouteGroupBuilder MapConsoleOverview(this RouteGroupBuilder console)
    {
        console.MapGet("/", ShowAsync);
        console.MapGet("/overview/live", LiveAsync);
        return console;
    }

    private static async Task<IResult> ShowAsync(HttpContext http, StreamCatalog catalog, OverviewData data)
    {
        var page = ConsolePage.For(http);
        var filter = OverviewFilter.From(http.Request.Query, page.SignedIn);
        var (rows, total) = await data.ReadPageAsync(filter, http.RequestAborted);
        return ConsoleResults.Page<OverviewPage>(new
        {
            Page = page,
            Filter = filter,
            Rows = rows,
            Total = total,
            Projects = catalog.All.Select(s => s.Project).Where(page.SignedIn.MaySee).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        });
    }

    /// <summary>The live values' URL for the rows a page shows.</summary>
    public static string LiveUrl(IEnumerable<OverviewRow> rows) =>
        ConsoleSession.BasePath + "/overview/live?streams=" + Uri.EscapeDataString(string.Join(',', rows.Select(r => r.StreamId)));

    /// <summary>
    /// The rows of one overview page (<c>?streams=a,b,c</c>, those the viewer may see) as Server-Sent
    /// Events (<c>event: rows</c>, JSON data), one now and one each interval. Shutting down ends the
    /// response, which is how an event stream closes; the EventSource then tries again after <c>retry</c>.
    /// </summary>
    private static async Task LiveAsync(HttpContext http, OverviewData data, TimeProvider time, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var rows = new OverviewLiveRows(ConsoleViewer.Of(http.User).Project, http.Request.Query["streams"].FirstOrDefault() ?? "");
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        stop.CancelAfter(LiveFor);
        try
        {
            await response.WriteAsync($"retry: {(int)OverviewData.Interval.TotalMilliseconds}\n\n", stop.Token);
            await response.Body.FlushAsync(stop.Token);
            while (true)
            {
                byte[]? update = null;
                try
                {
                    update = await data.LiveAsync(rows).WaitAsync(stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store did not answer this time: the page keeps its values, and the next interval tries again.
                    LogReadFailed(loggers.CreateLogger(typeof(OverviewEndpoints).FullName!), ex);
                }

                if (update is not null)
                {
                    await response.Body.WriteAsync(update, stop.Token);
                    await response.Body.FlushAsync(stop.Token);
                }

                await Task.Delay(data.UntilNextTick(), time, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The browser left, the server is stopping, or the response has lasted long enough.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the live overview's rows")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
