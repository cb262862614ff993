namespace SharpSignals.Server.StreamApi;

internal static class StreamApiServices
{
    /// <summary>The stream management API (SSF 1.0 §8.1) and what it alone uses.</summary>
    public static IServiceCollection AddStreamApi(this IServiceCollection services)
    {
        services.AddSingleton<StreamRequestValidator>();
        services.AddSingleton<JoinedStreams>();
        services.AddSingleton<StreamEncryptionKeys>();
        services.AddHostedService<EncryptionKeyRefresh>();
        services.AddSingleton<StreamConfigurations>();
        services.AddSingleton<StreamControls>();
        services.AddSingleton<StreamCredentialApi>();
        return services;
    }
}
