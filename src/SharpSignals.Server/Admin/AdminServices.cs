namespace SharpSignals.Server.Admin;

internal static class AdminServices
{
    public static IServiceCollection AddAdminToken(this IServiceCollection services) =>
        services.AddHostedService<AdminTokenBootstrap>();
}
