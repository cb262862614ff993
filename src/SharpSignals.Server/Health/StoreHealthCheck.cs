using Microsoft.Extensions.Diagnostics.HealthChecks;
using SharpSignals.Storage;

namespace SharpSignals.Server.Health;

/// <summary>The server can accept nothing it cannot store (docs/ARCHITECTURE.md, "Durability").</summary>
internal sealed class StoreHealthCheck(ISharpSignalsStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.IsHealthyAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The store cannot be read or written.");
}
