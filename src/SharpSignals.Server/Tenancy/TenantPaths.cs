using SharpSignals.Server.Http;

namespace SharpSignals.Server.Tenancy;

/// <summary>
/// Serves each tenant under its issuer path <c>/t/{name}</c> (docs/TENANTS.md): a request there is handled by
/// the same endpoints as at the root, with <c>/t/{name}</c> moved to the request's path base and the tenant
/// noted on the request (<see cref="RequestTenant"/>). Only the transmitter, receiver and per-tenant administration
/// endpoints answer under a tenant; the server's own (health, metrics, console, real-time, tenant
/// administration) answer only at the root, and an unknown or deleted tenant is 404.
/// </summary>
internal static class TenantPaths
{
    public const string Prefix = "/t";

    // Everything a tenant's transmitter, receivers and admin use; SSE and /ws stay with the root's real-time tokens.
    private static readonly string[] Served =
        ["/jwks.json", "/ssf/streams", "/ssf/status", "/ssf/subjects", "/ssf/verify", "/ssf/poll", "/ssf/push", "/events", "/iat", "/register", "/oauth/token",
         "/admin/streams", "/admin/clients", "/admin/events", "/admin/keys"];

    public static IApplicationBuilder UseTenantPaths(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments(Prefix, StringComparison.Ordinal, out var rest) || !rest.HasValue)
        {
            await next(context);
            return;
        }

        var value = rest.Value!;
        var end = value.IndexOf('/', 1);
        var name = end < 0 ? value[1..] : value[1..end];
        var remainder = end < 0 ? "" : value[end..];
        var tenants = context.RequestServices.GetRequiredService<TenantRegistry>();
        if (!TenantNames.IsValid(name) || !await tenants.IsLiveAsync(name, context.RequestAborted)
            || !Served.Any(p => remainder.Equals(p, StringComparison.Ordinal) || remainder.StartsWith(p + "/", StringComparison.Ordinal)))
        {
            await Problems.NotFound("No such tenant or endpoint.").ExecuteAsync(context);
            return;
        }

        context.SetTenant(name);
        var originalBase = context.Request.PathBase;
        context.Request.PathBase = originalBase.Add(Prefix + "/" + name);
        context.Request.Path = remainder;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.PathBase = originalBase;
            context.Request.Path = path;
        }
    });
}
