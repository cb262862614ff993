namespace SharpSignals.Server.Sources;

internal static class SourceServices
{
    /// <summary>
    /// The sources, the transmitters this server takes events from: their keys and discovery, the
    /// append of what they send, the polling of their poll endpoints, and joining them.
    /// </summary>
    public static IServiceCollection AddSources(this IServiceCollection services)
    {
        services.AddOptions<SourceOptions>().BindConfiguration(SourceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourceHttp>();
        services.AddSingleton<SourceKeys>();
        services.AddSingleton<SourceIntake>();
        services.AddSingleton<SourcePollStatus>();
        services.AddHostedService(sp => sp.GetRequiredService<SourcePollStatus>());
        services.AddHostedService<SourcePollService>();
        services.AddSingleton<SourceClient>();
        services.AddSingleton<SourceJoin>();
        return services;
    }
}
