using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Realtime;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage;

namespace SharpSignals.Server.Admin;

/// <summary>
/// <c>GET /admin/metrics</c> (scope <c>admin</c>): the store's commit and write counters and the
/// process's memory, the real-time topics this node holds, and the requests held back while delivery was behind, so that a load run can count fsyncs per event (docs/ARCHITECTURE.md,
/// "Durability": concurrent requests share commits) and watch the server's footprint from outside.
/// It reads the same state the observable instruments of <c>/metrics</c> read (the store's
/// counters, the topic count, the intake hold), so the two never disagree and nothing is counted twice.
/// </summary>
internal static class AdminMetricsEndpoints
{
    public static IEndpointRouteBuilder MapAdminMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/metrics", GetMetrics).RequireAuthorization(Scopes.Admin).Produces<AdminMetrics>();
        app.MapPrometheus(app.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Prometheus);
        return app;
    }

    /// <summary>
    /// Prometheus text at the configured path (docs/OPERATIONS.md, "Metrics and traces"): open, or
    /// for the admin scope only, and with a port set only on connections to that local port (the
    /// Host header, which a client chooses, is not what decides).
    /// </summary>
    private static void MapPrometheus(this IEndpointRouteBuilder app, PrometheusOptions prometheus)
    {
        if (!prometheus.Enabled)
        {
            return;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(prometheus.Path)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]));
        endpoint.OnlyOnLocalPort(prometheus.Port);

        if (prometheus.RequireAdminToken)
        {
            endpoint.RequireAuthorization(Scopes.Admin);
        }
    }

    private static IResult GetMetrics(ISharpSignalsStore store, TopicHub topics, DeliveryLag lag)
    {
        using var process = Process.GetCurrentProcess();
        return TypedResults.Json(
            new AdminMetrics(store.Commits, store.Writes, process.WorkingSet64, process.PeakWorkingSet64, GC.GetTotalMemory(forceFullCollection: false), topics.TopicCount, lag.Held, lag.TurnedAway),
            AdminJsonContext.Default.AdminMetrics);
    }
}

/// <summary>The counters of <c>GET /admin/metrics</c>; the byte counts are the process's (VmRSS, VmHWM on Linux) and the managed heap's.</summary>
internal sealed record AdminMetrics(
    [property: JsonPropertyName("store_commits")] long StoreCommits,
    [property: JsonPropertyName("store_writes")] long StoreWrites,
    [property: JsonPropertyName("working_set_bytes")] long WorkingSetBytes,
    [property: JsonPropertyName("peak_working_set_bytes")] long PeakWorkingSetBytes,
    [property: JsonPropertyName("managed_heap_bytes")] long ManagedHeapBytes,
    [property: JsonPropertyName("realtime_topics")] int RealtimeTopics,
    [property: JsonPropertyName("ingest_held")] long IngestHeld,
    [property: JsonPropertyName("ingest_turned_away")] long IngestTurnedAway);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminMetrics))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
