namespace SharpSignals.Server.Routing;

internal static class RoutingServices
{
    /// <summary>
    /// The streams in memory and the routing of each event to them, kept in step with the other
    /// nodes of a cluster (<see cref="ClusterCaches"/>, <see cref="ClusterWakeups"/>).
    /// Not <c>AddRouting</c>: that is ASP.NET Core's endpoint routing.
    /// </summary>
    public static IServiceCollection AddEventRouting(this IServiceCollection services)
    {
        services.AddSingleton<StreamSignals>();
        services.AddSingleton<StreamCatalog>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamCatalog>());
        services.AddSingleton<EventRouter>();
        services.AddSingleton<StreamLifecycle>();
        services.AddSingleton<StreamReplay>();
        services.AddHostedService<ClusterWakeups>();
        services.AddHostedService<ClusterCaches>();
        return services;
    }
}
