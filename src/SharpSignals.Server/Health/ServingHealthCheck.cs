using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SharpSignals.Server.Health;

/// <summary>
/// Ready only between the end of the start (the store opened and migrated, the keys loaded) and
/// the shutdown signal: a stopping node is taken out of its load balancer while it finishes the
/// work it has (docs/OPERATIONS.md, "Probes").
/// </summary>
internal sealed class ServingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("The server is shutting down.")
            : !lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Unhealthy("The server is starting.")
            : HealthCheckResult.Healthy());
}
