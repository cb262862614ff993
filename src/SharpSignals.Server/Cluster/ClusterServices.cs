namespace SharpSignals.Server.Cluster;

internal static class ClusterServices
{
    /// <summary>This node's identity, its membership and the notice bus between the nodes sharing its store (nothing runs on the embedded store).</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ClusterNode>();

        // Registered before the push and poll workers, so stopped after them: the node leaves last.
        services.AddSingleton<ClusterMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton<ClusterBus>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterBus>());
        return services;
    }
}
