using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

internal static class ConfigurationServices
{
    /// <summary>The clock, <see cref="ServerOptions"/> bound and validated at start, the data directory, the issuer URL and the shutdown timeout.</summary>
    public static IServiceCollection AddServerOptions(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<ServerOptions>()
            .BindConfiguration(ServerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<IssuerUrl>();

        // The host reads HostOptions when it is built, before the settings are validated at start,
        // so this reads the one setting on its own; a value out of range still stops the start.
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var seconds = configuration.GetValue(ServerOptions.Section + ":" + nameof(ServerOptions.ShutdownTimeoutSeconds), new ServerOptions().ShutdownTimeoutSeconds);
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600));
        });
        return services;
    }

    /// <summary>
    /// Stops the start on a key under <c>SharpSignals:</c> that nothing reads (<see cref="KnownSettings"/>).
    /// Called after every feature is added: the known keys are those of the options bound by then.
    /// </summary>
    public static IServiceCollection AddUnknownSettingsCheck(this IServiceCollection services)
    {
        services.AddSingleton(KnownSettings.From(services));
        services.AddSingleton<IValidateOptions<ServerOptions>, UnknownSettingsValidator>();
        return services;
    }
}
