namespace SharpSignals.Server.Admin;

internal static class AdminServices
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) => services.AddSingleton<TenantAdministration>();

    /// <summary>Everything under <c>/admin</c>: streams, dead letters, replay and keys; metrics; event search; tenants.</summary>
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        app.MapAdminApi();
        app.MapAdminMetrics();
        app.MapAdminEventSearch();
        app.MapAdminTenants();
        return app;
    }
}
