using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// The issuer: <c>SharpSignals:Issuer</c>, or else the first address the server listens on
/// (docs/CONFIGURATION.md). It is the <c>iss</c> of every SET signed here and the base of every advertised URL.
/// </summary>
internal sealed class IssuerUrl(IOptions<ServerOptions> options, IServer server)
{
    private string? _value;

    /// <summary>The issuer, without a trailing slash.</summary>
    public string Value => _value ??= Resolve();

    /// <summary>An absolute URL under the issuer.</summary>
    public string Url(string path) => Value + path;

    /// <summary>
    /// A tenant's issuer: the server's plus <c>/t/{tenant}</c> (docs/TENANTS.md), and the server's own for the
    /// default tenant (the empty name).
    /// </summary>
    public string For(string tenant) => tenant.Length == 0 ? Value : string.Concat(Value, TenantPathPrefix, tenant);

    /// <summary>An absolute URL under a tenant's issuer.</summary>
    public string Url(string tenant, string path) => For(tenant) + path;

    /// <summary>What comes between the server's issuer and a tenant's name in the tenant's issuer.</summary>
    public const string TenantPathPrefix = "/t/";

    private string Resolve()
    {
        var configured = options.Value.Issuer;
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.TrimEnd('/');
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";

        // Kestrel reports wildcard bindings as http://[::]:5000 or http://+:5000; advertise a name instead.
        return address.Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
