namespace SharpSignals.Server.Admin;

internal static class AdminServices
{
    /// <summary>Everything under <c>/admin</c>: streams, dead letters, replay and keys; metrics; event search.</summary>
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        app.MapAdminApi();
        app.MapAdminMetrics();
        app.MapAdminEventSearch();
        return app;
    }
}
