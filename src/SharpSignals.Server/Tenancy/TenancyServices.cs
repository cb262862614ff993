using SharpSignals.Server.Keys;

namespace SharpSignals.Server.Tenancy;

internal static class TenancyServices
{
    /// <summary>The tenants (docs/TENANTS.md); after the keys, whose per-tenant signing and encryption keys follow the tenants.</summary>
    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var registry = ActivatorUtilities.CreateInstance<TenantRegistry>(sp);
            registry.OnChanged(sp.GetRequiredService<IssuerKeyStore>().FollowTenantsAsync);
            registry.OnChanged(sp.GetRequiredService<EncryptionKeys>().FollowTenantsAsync);
            return registry;
        });
        services.AddHostedService(sp => sp.GetRequiredService<TenantRegistry>());
        return services;
    }
}
