using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SharpSignals.Server.Health;

internal static class HealthServices
{
    /// <summary>The checks <c>/readyz</c> runs: may this node be sent work now.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The checks <c>/healthz</c> has always run: can the node keep what it takes.</summary>
    public const string HealthzTag = "healthz";

    public static IServiceCollection AddServerHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DataDirectoryHealthCheck>("data-directory", HealthStatus.Unhealthy, [ReadyTag, HealthzTag])
            .AddCheck<StoreHealthCheck>("store", HealthStatus.Unhealthy, [ReadyTag, HealthzTag])
            .AddCheck<ServingHealthCheck>("serving", HealthStatus.Unhealthy, [ReadyTag]);
        return services;
    }

    /// <summary>
    /// GET /livez (the process answers; no check runs, so a lost database never gets a node
    /// restarted), GET /readyz (started, not stopping, data directory writable, store reachable)
    /// and GET /healthz (data directory and store, as it always was); 200 or 503 (docs/API.md).
    /// </summary>
    public static IEndpointRouteBuilder MapServerHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthzTag) }).AllowAnonymous();
        return app;
    }
}
