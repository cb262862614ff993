using SharpSignals.Server.Delivery.Poll;
using SharpSignals.Server.Delivery.Push;

namespace SharpSignals.Server.Delivery;

internal static class DeliveryServices
{
    /// <summary>Push workers, how far behind they run (<see cref="DeliveryLag"/>), the inactivity check, and the long polls waiting (<see cref="LongPolls"/>).</summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CpuPressure>();
        services.AddSingleton<DeliveryLag>();
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PushClient>();
        services.AddSingleton<PushThreads>();
        services.AddSingleton<IdlePushStreams>();
        services.AddMetrics();
        services.AddSingleton<FailingStreams>();
        services.AddHostedService<PushDeliveryService>();
        services.AddSingleton<InactivityMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<InactivityMonitor>());
        services.AddSingleton<LongPolls>();
        services.AddHostedService<DeliveryReadings>();
        return services;
    }
}
