namespace SharpSignals.Server.Sources;

internal static class SourceServices
{
    /// <summary>
    /// Receiving from other transmitters: their keys and discovery, the append of what they send, the
    /// polling of their poll endpoints, and joining them as a receiver.
    /// </summary>
    public static IServiceCollection AddSources(this IServiceCollection services)
    {
        services.AddOptions<SourceOptions>().BindConfiguration(SourceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourceHttp>();
        services.AddSingleton<SourceDiscovery>();
        services.AddSingleton<SourceKeys>();
        services.AddSingleton<SourceIntake>();
        services.AddSingleton<SourcePollStatus>();
        services.AddHostedService(sp => sp.GetRequiredService<SourcePollStatus>());
        services.AddHostedService<SourcePollService>();
        services.AddSingleton<SourceTokens>();
        services.AddSingleton<RemoteTransmitter>();
        services.AddSingleton<SourceJoin>();
        return services;
    }
}
