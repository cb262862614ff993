namespace SharpSignals.Server.Inbound;

internal static class InboundServices
{
    /// <summary>Receiving from other transmitters: their keys and discovery, and the append of what they send.</summary>
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddOptions<InboundOptions>().BindConfiguration(InboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourceHttp>();
        services.AddSingleton<SourceDiscovery>();
        services.AddSingleton<SourceKeys>();
        services.AddSingleton<InboundReceiver>();
        return services;
    }
}
