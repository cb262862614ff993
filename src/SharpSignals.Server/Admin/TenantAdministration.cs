using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Http;
using SharpSignals.Server.Tenancy;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Admin;

/// <summary>
/// Creating, listing and deleting tenants (docs/TENANTS.md), for the admin API and the console alike. Only the
/// server's own admin (the default tenant's) manages tenants; a tenant's admin token is shown once, at
/// creation or replacement, and only its hash is kept.
/// </summary>
internal sealed class TenantAdministration(TenantRegistry tenants, IssuerUrl issuer)
{
    /// <summary>A tenant as the admin API and the console show it.</summary>
    public TenantView View(TenantRecord tenant) =>
        new(tenant.Name, issuer.For(tenant.Name), DiscoveryUrl(tenant.Name), tenant.CreatedAt);

    public IReadOnlyList<TenantView> List() => [.. tenants.Live.Select(View)];

    /// <summary>Creates a tenant with its first signing key.</summary>
    /// <returns>The tenant and its admin token; or why it was refused: a bad name (400) or a name taken (409).</returns>
    public async Task<(TenantView? Tenant, string? AdminToken, Failure? Refusal)> CreateAsync(string? name, CancellationToken cancellationToken)
    {
        if (name is null || !TenantNames.IsValid(name))
        {
            return (null, null, Failure.BadRequest("name must be 1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit."));
        }

        var token = TokenHashing.NewToken();
        return await tenants.CreateAsync(name, TokenHashing.Hash(token), cancellationToken) is { } created
            ? (View(created), token, null)
            : (null, null, Failure.Conflict($"The tenant name '{name}' is taken: a tenant of that name exists or existed."));
    }

    /// <summary>A new admin token for a tenant; the old one stops working.</summary>
    /// <returns>The token, or null when there is no such live tenant.</returns>
    public async Task<string?> ReplaceAdminTokenAsync(string name, CancellationToken cancellationToken)
    {
        var token = TokenHashing.NewToken();
        return await tenants.ReplaceAdminTokenAsync(name, TokenHashing.Hash(token), cancellationToken) ? token : null;
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => tenants.DeleteAsync(name, cancellationToken);

    // SSF 1.0 §7.2 and RFC 8615: the well-known segment goes between the host and the issuer's path.
    private string DiscoveryUrl(string tenant)
    {
        var uri = new Uri(issuer.For(tenant));
        return uri.GetLeftPart(UriPartial.Authority) + "/.well-known/ssf-configuration" + uri.AbsolutePath.TrimEnd('/');
    }
}

/// <summary>A tenant: its name, issuer, where its discovery document is, when it was created.</summary>
internal sealed record TenantView(string Name, string Issuer, string DiscoveryUrl, DateTimeOffset CreatedAt);
