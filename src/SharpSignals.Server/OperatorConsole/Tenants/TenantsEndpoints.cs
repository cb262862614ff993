using SharpSignals.Server.Admin;
using SharpSignals.Server.OperatorConsole.Shell;

namespace SharpSignals.Server.OperatorConsole.Tenants;

/// <summary>
/// Tenants (<c>GET /console/tenants</c>, docs/TENANTS.md): the server's admin lists, creates and deletes tenants
/// and replaces their admin tokens, through <see cref="TenantAdministration"/> as <c>/admin/tenants</c> does.
/// A new admin token is shown in the answer to the form only: never in a URL, a cookie or the notice (the
/// guard sends <c>Cache-Control: no-store</c>). An operator who sees one project only gets 404, as for
/// anything they may not see.
/// </summary>
internal static class TenantsEndpoints
{
    public const string Path = ConsoleSession.BasePath + "/tenants";

    public static RouteGroupBuilder MapConsoleTenants(this RouteGroupBuilder console)
    {
        console.MapGet("/tenants", Show);
        console.MapPost("/tenants", CreateAsync);
        console.MapPost("/tenants/{name}/delete", DeleteAsync);
        console.MapPost("/tenants/{name}/admin-token", ReplaceAdminTokenAsync);
        return console;
    }

    private static IResult Show(HttpContext http, TenantAdministration tenants) =>
        ServerAdmin(http) is { } page ? Render(page, tenants, new TenantsPageState()) : NotFound(http);

    private static async Task<IResult> CreateAsync(HttpContext http, TenantAdministration tenants, CancellationToken cancellationToken)
    {
        if (ServerAdmin(http) is not { } page)
        {
            return NotFound(http);
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        var name = form["name"].FirstOrDefault()?.Trim();
        var (tenant, token, refusal) = await tenants.CreateAsync(name, cancellationToken);
        return tenant is not null
            ? Render(page, tenants, new TenantsPageState { NewToken = new NewTenantToken(TenantRow.Of(tenant), token!, Created: true) })
            : Render(page, tenants, new TenantsPageState { CreateError = refusal!.Detail + " No tenant was made.", AskedName = name }, refusal.Status);
    }

    /// <summary>Asks to confirm first, since a deleted tenant's streams stop and its name is never used again.</summary>
    private static async Task<IResult> DeleteAsync(string name, HttpContext http, TenantAdministration tenants, CancellationToken cancellationToken)
    {
        if (ServerAdmin(http) is not { } page || Find(tenants, name) is not { } tenant)
        {
            return NotFound(http, "such tenant");
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        if (form["confirm"].FirstOrDefault() is not "true")
        {
            return Render(page, tenants, new TenantsPageState { ConfirmDelete = TenantRow.Of(tenant) });
        }

        return await tenants.DeleteAsync(name, cancellationToken)
            ? ConsoleNotice.RedirectWith(http, Path, $"Deleted tenant {name}: its streams are disabled, its clients revoked and its keys deleted; the name cannot be used again.")
            : NotFound(http, "such tenant");
    }

    private static async Task<IResult> ReplaceAdminTokenAsync(string name, HttpContext http, TenantAdministration tenants, CancellationToken cancellationToken)
    {
        if (ServerAdmin(http) is not { } page || Find(tenants, name) is null)
        {
            return NotFound(http, "such tenant");
        }

        return await tenants.ReplaceAdminTokenAsync(name, cancellationToken) is { } token && Find(tenants, name) is { } tenant
            ? Render(page, tenants, new TenantsPageState { NewToken = new NewTenantToken(TenantRow.Of(tenant), token, Created: false) })
            : NotFound(http, "such tenant");
    }

    /// <summary>The page, for an operator who sees every project (the server's admin); null for anyone else.</summary>
    private static ConsolePage? ServerAdmin(HttpContext http)
    {
        var page = ConsolePage.For(http);
        return page.SignedIn.SeesEveryProject ? page : null;
    }

    private static TenantView? Find(TenantAdministration tenants, string name) =>
        tenants.List().FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    private static IResult NotFound(HttpContext http, string what = "such page") => ConsoleResults.NotFound(http, what);

    private static IResult Render(ConsolePage page, TenantAdministration tenants, TenantsPageState state, int status = StatusCodes.Status200OK) =>
        ConsoleResults.Page<TenantsPage>(new { Page = page, Tenants = tenants.List().Select(TenantRow.Of).ToList(), State = state }, status);
}

/// <summary>One tenant: its name, issuer, discovery document and when it was made.</summary>
public sealed record TenantRow(string Name, string Issuer, string DiscoveryUrl, DateTimeOffset CreatedAt)
{
    internal static TenantRow Of(TenantView tenant) => new(tenant.Name, tenant.Issuer, tenant.DiscoveryUrl, tenant.CreatedAt);
}

/// <summary>A tenant's admin token just made (<paramref name="Created"/>: with the tenant), shown in the answer to the form and nowhere else.</summary>
public sealed record NewTenantToken(TenantRow Tenant, string Token, bool Created);

/// <summary>What the answer to a form adds to the page.</summary>
public sealed record TenantsPageState
{
    public NewTenantToken? NewToken { get; init; }

    public string? CreateError { get; init; }

    /// <summary>The name a refused form asked for, to show in the field again.</summary>
    public string? AskedName { get; init; }

    /// <summary>Set when deletion was asked without confirming: the tenant to confirm it for.</summary>
    public TenantRow? ConfirmDelete { get; init; }
}
