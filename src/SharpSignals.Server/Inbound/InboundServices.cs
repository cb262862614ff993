namespace SharpSignals.Server.Inbound;

internal static class InboundServices
{
    /// <summary>
    /// Receiving from other transmitters: their keys and discovery, the append of what they send, the
    /// polling of their poll endpoints, and joining them as a receiver.
    /// </summary>
    public static IServiceCollection AddInbound(this IServiceCollection services)
    {
        services.AddOptions<InboundOptions>().BindConfiguration(InboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourceHttp>();
        services.AddSingleton<SourceKeys>();
        services.AddSingleton<InboundReceiver>();
        services.AddSingleton<InboundPollStatus>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundPollStatus>());
        services.AddHostedService<InboundPollService>();
        services.AddSingleton<SourceTokens>();
        services.AddSingleton<SourceClient>();
        services.AddSingleton<SourceJoin>();
        return services;
    }
}
