using Microsoft.Extensions.Options;
using SharpSignals.Server.Sources;

namespace SharpSignals.Server.Retention;

internal static class RetentionServices
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<RetentionService>();

        // A received SET older than the retention period could be replayed after its jti is purged, so
        // that is the default age limit of the inbound streams (Sources sit below Retention and do not see it).
        services.AddOptions<SourceOptions>().PostConfigure<IOptions<RetentionOptions>>((inbound, retention) =>
            inbound.MaxSetAgeSeconds ??= retention.Value.Days * 86400);
        return services;
    }
}
