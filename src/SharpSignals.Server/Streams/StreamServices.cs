using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Publishing;
using SharpSignals.Server.Routing;

namespace SharpSignals.Server.Streams;

internal static class StreamServices
{
    /// <summary>Stream management, routing and the pieces both share.</summary>
    public static IServiceCollection AddStreams(this IServiceCollection services)
    {
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventTypeOptions>().BindConfiguration(EventTypeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventTypeOptions>, EventTypeOptionsValidator>();
        services.AddSingleton<ProjectEventTypes>();
        services.AddSingleton<IssuerUrl>();
        services.AddSingleton<OutboundAddressPolicy>();
        services.AddSingleton<StreamCodec>();
        services.AddSingleton<StreamSignals>();
        services.AddSingleton<SetIssuer>();
        services.AddSingleton<StreamCatalog>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamCatalog>());
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CpuPressure>();
        services.AddSingleton<DeliveryLag>();
        services.AddSingleton<IngestGate>();
        services.AddSingleton<EventRouter>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<CallerStreams>();
        services.AddSingleton<StreamLifecycle>();
        services.AddSingleton<InactivityMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<InactivityMonitor>());
        return services;
    }
}
