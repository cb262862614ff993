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
        foreach (var (path, tag) in new[] { ("/livez", (string?)null), ("/readyz", ReadyTag), ("/healthz", HealthzTag) })
        {
            app.MapHealthChecks(path, new HealthCheckOptions { Predicate = check => tag is not null && check.Tags.Contains(tag) })
                .AllowAnonymous()
                .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]))
                .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(string), ["text/plain"]));
        }

        return app;
    }
}
