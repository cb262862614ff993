using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SharpSignals.Server.Telemetry;

internal static class TelemetryServices
{
    /// <summary>
    /// The server's meters and spans, and OpenTelemetry around them (docs/OPERATIONS.md, "Metrics and
    /// traces"): metrics for the Prometheus endpoint when it is on, both signals to OTLP when the
    /// standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables name a collector. Tracing is not
    /// switched on otherwise: a span nobody exports would still cost every request its allocation.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<ServerMetrics>();

        var settings = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        var prometheus = settings.Prometheus.Enabled;
        var otlpMetrics = OtlpEndpointSet(configuration, "METRICS");
        var otlpTraces = OtlpEndpointSet(configuration, "TRACES");

        // Whoever builds a tracer provider (an OTLP exporter below, or a test's in-memory one) gets
        // the same sources and instrumentation.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(ServerMetrics.Wildcard)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddNpgsql());

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("sharpsignals"));
        if (prometheus || otlpMetrics)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(ServerMetrics.Wildcard);
                if (settings.FrameworkMetrics)
                {
                    metrics
                        .AddAspNetCoreInstrumentation()
                        .AddHttpClientInstrumentation()
                        .AddRuntimeInstrumentation()
                        .AddNpgsqlInstrumentation();
                }
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlpMetrics)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        if (otlpTraces)
        {
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter());
        }

        return services;
    }

    /// <summary>Whether the OpenTelemetry specification's variables name an OTLP endpoint for the signal, or for all.</summary>
    private static bool OtlpEndpointSet(IConfiguration configuration, string signal) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);
}
