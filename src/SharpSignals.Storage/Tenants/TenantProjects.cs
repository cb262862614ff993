namespace SharpSignals.Storage.Tenants;

/// <summary>
/// How a tenant's projects are named in the store: <c>tenant/project</c>. The default tenant's projects keep
/// their plain names, so the data from before tenants existed is the default tenant's, unchanged. Project and
/// tenant names never hold a <c>/</c>, so no two tenants can share a stored project, and everything the store
/// already keeps apart by project (streams, clients, IATs, events, routing) is kept apart by tenant too.
/// </summary>
public static class TenantProjects
{
    /// <summary>The default tenant: the one at the server's root.</summary>
    public const string DefaultTenant = "";

    private const char Separator = '/';

    /// <summary>A tenant's project as the store names it.</summary>
    /// <param name="tenant">The tenant; <see cref="DefaultTenant"/> for the root.</param>
    /// <param name="project">The project's name within the tenant.</param>
    /// <returns>The stored project name.</returns>
    public static string Qualify(string tenant, string project)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(project);
        return tenant.Length == 0 ? project : string.Concat(tenant, "/", project);
    }

    /// <summary>The tenant a stored project belongs to.</summary>
    /// <param name="storedProject">The project as stored.</param>
    /// <returns>The tenant; <see cref="DefaultTenant"/> for a plain name.</returns>
    public static string TenantOf(string storedProject)
    {
        ArgumentNullException.ThrowIfNull(storedProject);
        var separator = storedProject.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? DefaultTenant : storedProject[..separator];
    }

    /// <summary>A stored project's name within its tenant, as a tenant's callers know it.</summary>
    /// <param name="storedProject">The project as stored.</param>
    /// <returns>The name without the tenant.</returns>
    public static string LocalName(string storedProject)
    {
        ArgumentNullException.ThrowIfNull(storedProject);
        var separator = storedProject.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? storedProject : storedProject[(separator + 1)..];
    }

    /// <summary>Whether a stored project belongs to the tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="storedProject">The project as stored.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool Owns(string tenant, string storedProject) => TenantOf(storedProject) == tenant;

    /// <summary>
    /// A SQL condition (both stores) that a row's <c>project</c> column belongs to the tenant given in the
    /// parameter <c>tenant_projects</c> (<see cref="LikePattern"/>): a <c>LIKE</c> on the name's start,
    /// or, for the default tenant, no separator at all. Tenant names hold no <c>LIKE</c> wildcard.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="prefix">How the database marks a named parameter: <c>$</c> or <c>@</c>.</param>
    /// <returns>The condition.</returns>
    public static string Condition(string tenant, char prefix) =>
        tenant.Length == 0 ? "project NOT LIKE '%/%'" : $"project LIKE {prefix}tenant_projects";

    /// <summary>The value of the parameter <c>tenant_projects</c> for <see cref="Condition"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The pattern.</returns>
    public static string LikePattern(string tenant) => tenant + "/%";
}
