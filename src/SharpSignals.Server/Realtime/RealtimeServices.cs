namespace SharpSignals.Server.Realtime;

internal static class RealtimeServices
{
    /// <summary>WebSocket and SSE subscribers, notiflux topics and their limits.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TopicTokenValidator>();
        services.AddSingleton<TopicHub>();
        services.AddHostedService<TopicNotices>();
        services.AddSingleton<TokenLimits>();
        services.AddSingleton<StreamAccess>();
        return services;
    }

    /// <summary>The WebSocket middleware and the realtime endpoints.</summary>
    public static WebApplication UseRealtime(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapRealtimeApi();
        return app;
    }
}
