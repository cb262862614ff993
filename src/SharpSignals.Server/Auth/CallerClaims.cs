using System.Security.Claims;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Auth;

/// <summary>The claims the token handler puts on a caller, and how to read them back.</summary>
internal static class CallerClaims
{
    public const string ScopeClaim = "scope";
    public const string ProjectClaim = "project";
    public const string ClientIdClaim = "client_id";

    /// <summary>The tenant the caller was authenticated for (docs/TENANTS.md); absent for the default tenant.</summary>
    public const string TenantClaim = "tenant";

    /// <summary>The one stream a stream credential was checked for (<see cref="StreamCredentials"/>).</summary>
    public const string StreamClaim = "stream_id";

    /// <summary>The project the admin acts in unless a request names another (docs/API.md).</summary>
    public const string DefaultProject = "default";

    public static bool IsAdmin(this ClaimsPrincipal caller) => caller.HasScope(Scopes.Admin);

    public static bool HasScope(this ClaimsPrincipal caller, string scope) =>
        caller.FindAll(ScopeClaim).Any(c => c.Value == scope);

    /// <summary>The caller's project as stored (<see cref="TenantProjects"/>: qualified by the tenant).</summary>
    public static string Project(this ClaimsPrincipal caller) => caller.FindFirstValue(ProjectClaim) ?? DefaultProject;

    public static string Tenant(this ClaimsPrincipal caller) => caller.FindFirstValue(TenantClaim) ?? TenantProjects.DefaultTenant;

    /// <summary>The stored name of a project an admin names in a request (its default project when none), within the admin's tenant.</summary>
    public static string AdminProject(this ClaimsPrincipal caller, string? requested) =>
        TenantProjects.Qualify(caller.Tenant(), string.IsNullOrEmpty(requested) ? DefaultProject : requested);

    /// <summary>Whether a stored project is of the caller's tenant: nothing of another tenant's is ever shown or changed.</summary>
    public static bool SharesTenant(this ClaimsPrincipal caller, string storedProject) => TenantProjects.Owns(caller.Tenant(), storedProject);

    public static string? ClientIdOf(this ClaimsPrincipal caller) => caller.FindFirstValue(ClientIdClaim);

    /// <summary>The stream of a caller authenticated by a stream credential; null for any other caller.</summary>
    public static string? CredentialStreamOf(this ClaimsPrincipal caller) => caller.FindFirstValue(StreamClaim);
}
