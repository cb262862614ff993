using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

internal static class ConfigurationServices
{
    /// <summary>Binds and validates <see cref="ServerOptions"/> at start, and creates the data directory.</summary>
    public static IServiceCollection AddServerOptions(this IServiceCollection services)
    {
        services.AddOptions<ServerOptions>()
            .BindConfiguration(ServerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        services.AddSingleton<DataDirectory>();
        return services;
    }
}
