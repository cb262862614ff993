using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SharpSignals.Server.Health;

internal static class HealthServices
{
    public static IServiceCollection AddServerHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DataDirectoryHealthCheck>("data-directory", HealthStatus.Unhealthy)
            .AddCheck<StoreHealthCheck>("store", HealthStatus.Unhealthy);
        return services;
    }

    /// <summary>GET /healthz: 200 when the server can serve, 503 otherwise (docs/API.md).</summary>
    public static IEndpointRouteBuilder MapServerHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz").AllowAnonymous()
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(string), ["text/plain"]));
        return app;
    }
}
