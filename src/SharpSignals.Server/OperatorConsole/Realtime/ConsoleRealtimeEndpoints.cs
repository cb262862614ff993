using System.Globalization;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Realtime;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage;

namespace SharpSignals.Server.OperatorConsole.Realtime;

/// <summary>
/// The Realtime page (<c>GET /console/realtime</c>): the notiflux topics this node holds with how many
/// of its connections subscribe to each, filtered by prefix, a page at a time, and its open WebSocket
/// and SSE connections. Subscribers connect to one node, so in a cluster each node shows its own.
/// </summary>
internal static class ConsoleRealtimeEndpoints
{
    public const int PageSize = 50;

    public static RouteGroupBuilder MapConsoleRealtime(this RouteGroupBuilder console)
    {
        console.MapGet("/realtime", Show);
        return console;
    }

    private static IResult Show(HttpContext http, TopicHub topics, ServerMetrics metrics, ClusterNode node, ISharpSignalsStore store)
    {
        var page = ConsolePage.For(http);
        var filter = RealtimeFilter.From(http.Request.Query);

        // Topic names belong to no project (a topic token names topics, never projects): only an
        // operator of every project sees them.
        var visible = page.SignedIn.SeesEveryProject;
        var matching = visible
            ? topics.SubscriberCounts()
                .Where(t => filter.Prefix is null || t.Topic.StartsWith(filter.Prefix, StringComparison.Ordinal))
                .OrderBy(t => t.Topic, StringComparer.Ordinal)
                .ToList()
            : [];
        return ConsoleResults.Page<RealtimePage>(new
        {
            Page = page,
            Filter = filter,
            Topics = matching.Skip(filter.PageIndex * PageSize).Take(PageSize).Select(t => new RealtimeTopicRow(t.Topic, t.Subscribers)).ToList(),
            Total = matching.Count,
            Connections = visible
                ? new List<RealtimeConnectionCount> { new("WebSocket", Open(RealtimeTransports.WebSocket)), new("SSE", Open(RealtimeTransports.Sse)) }
                : [],
            Node = node.Id,
            Cluster = store.IsShared,
        });

        long Open(string transport) => metrics.OpenRealtimeConnections.FirstOrDefault(c => c.Transport == transport).Open;
    }
}

/// <summary>The Realtime page's filters: a topic prefix (exact case) and the page.</summary>
public sealed record RealtimeFilter(string? Prefix, int PageIndex)
{
    public const int MaxPrefix = 200;

    public static RealtimeFilter From(IQueryCollection query) => new(
        query["prefix"].FirstOrDefault() is { Length: > 0 and <= MaxPrefix } prefix ? prefix : null,
        int.TryParse(query["page"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is > 0 and < 1_000_000 ? index - 1 : 0);

    public string Url(int index)
    {
        var parameters = new List<string>();
        if (Prefix is not null)
        {
            parameters.Add("prefix=" + Uri.EscapeDataString(Prefix));
        }

        if (index > 0)
        {
            parameters.Add("page=" + (index + 1).ToString(CultureInfo.InvariantCulture));
        }

        return ConsoleSession.BasePath + "/realtime" + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : "");
    }
}

/// <summary>A topic and how many connections on this node subscribe to it.</summary>
public sealed record RealtimeTopicRow(string Topic, int Subscribers);

/// <summary>Open real-time connections on this node of one transport.</summary>
public sealed record RealtimeConnectionCount(string Transport, long Open);
