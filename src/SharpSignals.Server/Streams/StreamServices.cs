using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Streams;

internal static class StreamServices
{
    /// <summary>The stream model: its settings, the event types a project may use, its codec.</summary>
    public static IServiceCollection AddStreams(this IServiceCollection services)
    {
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventTypeOptions>().BindConfiguration(EventTypeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventTypeOptions>, EventTypeOptionsValidator>();
        services.AddSingleton<ProjectEventTypes>();
        services.AddSingleton<StreamCodec>();
        return services;
    }
}
