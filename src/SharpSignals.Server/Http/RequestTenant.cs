using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Http;

/// <summary>
/// The tenant a request is for (docs/TENANTS.md): set by the tenant paths middleware for <c>/t/{name}/…</c>,
/// the default tenant otherwise. Here, low in the order, so that every feature can read it.
/// </summary>
internal static class RequestTenant
{
    private static readonly object Key = new();

    /// <summary>The request's tenant: <see cref="TenantProjects.DefaultTenant"/> at the root.</summary>
    public static string Tenant(this HttpContext context) =>
        context.Items.TryGetValue(Key, out var tenant) ? (string)tenant! : TenantProjects.DefaultTenant;

    public static void SetTenant(this HttpContext context, string tenant) => context.Items[Key] = tenant;
}
