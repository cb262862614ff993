namespace SharpSignals.Server.Delivery.Push;

internal static class PushServices
{
    public static IServiceCollection AddPushDelivery(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PushClient>();
        services.AddHostedService<PushDeliveryService>();
        return services;
    }
}
