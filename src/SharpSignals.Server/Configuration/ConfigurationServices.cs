using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

internal static class ConfigurationServices
{
    /// <summary>The clock, <see cref="ServerOptions"/> bound and validated at start, the data directory and the issuer URL.</summary>
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
