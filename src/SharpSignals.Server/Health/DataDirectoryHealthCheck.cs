using Microsoft.Extensions.Diagnostics.HealthChecks;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Health;

/// <summary>The server can keep nothing if its data directory cannot be written.</summary>
internal sealed class DataDirectoryHealthCheck(DataDirectory directory) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(directory.IsWritable()
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The data directory cannot be written."));
}
