using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SharpSignals.Receiver.Streams;

/// <summary>
/// Unhealthy (or the registration's failure status) until the stream is set up and its verification event
/// came back, saying what is wrong (the transmitter's refusal, an issuer mismatch, a verification that
/// never arrived); healthy from then on.
/// </summary>
internal sealed class SharedSignalsHealthCheck(SharedSignalsReceiverStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var up = status.IsUp;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        Add(data, "stream_id", status.StreamId);
        Add(data, "verified_at", status.VerifiedAt);
        Add(data, "stream_status", status.StreamStatus);
        Add(data, "setup_failures", up ? null : status.SetupFailures);
        Add(data, "next_setup_attempt_at", up ? null : status.NextSetupAttemptAt);
        return Task.FromResult(new HealthCheckResult(up ? HealthStatus.Healthy : context.Registration.FailureStatus, status.Description, data: data));
    }

    private static void Add(Dictionary<string, object> data, string key, object? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }
}
