using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SharpSignals.Receiver.Streams;

namespace SharpSignals.Receiver;

/// <summary>Adds the receiver's health check.</summary>
public static class SharedSignalsHealthChecksBuilderExtensions
{
    /// <summary>The health check's default name.</summary>
    public const string DefaultName = "shared-signals";

    /// <summary>
    /// Adds a check that is unhealthy until the stream with the transmitter is set up and its
    /// verification event received, with a description of what is wrong (the transmitter's refusal
    /// with its HTTP status, an issuer mismatch, a verification still awaited), and healthy from then on.
    /// Needs <c>AddSharedSignalsReceiver</c>.
    /// </summary>
    /// <param name="builder">The application's health checks.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">What the check reports while the stream is down (<see cref="HealthStatus.Unhealthy"/> when null).</param>
    /// <param name="tags">Tags for filtering the check.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddSharedSignalsReceiverCheck(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<SharedSignalsHealthCheck>(name, failureStatus, tags ?? []);
    }
}
