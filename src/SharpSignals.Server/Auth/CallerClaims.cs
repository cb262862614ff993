using System.Security.Claims;

namespace SharpSignals.Server.Auth;

/// <summary>The claims the token handler puts on a caller, and how to read them back.</summary>
internal static class CallerClaims
{
    public const string ScopeClaim = "scope";
    public const string ProjectClaim = "project";
    public const string ClientIdClaim = "client_id";

    /// <summary>The one stream a stream credential was checked for (<see cref="StreamCredentials"/>).</summary>
    public const string StreamClaim = "stream_id";

    /// <summary>The project the admin acts in unless a request names another (docs/API.md).</summary>
    public const string DefaultProject = "default";

    public static bool IsAdmin(this ClaimsPrincipal caller) => caller.HasScope(Scopes.Admin);

    public static bool HasScope(this ClaimsPrincipal caller, string scope) =>
        caller.FindAll(ScopeClaim).Any(c => c.Value == scope);

    public static string Project(this ClaimsPrincipal caller) => caller.FindFirstValue(ProjectClaim) ?? DefaultProject;

    public static string? ClientIdOf(this ClaimsPrincipal caller) => caller.FindFirstValue(ClientIdClaim);

    /// <summary>The stream of a caller authenticated by a stream credential; null for any other caller.</summary>
    public static string? CredentialStreamOf(this ClaimsPrincipal caller) => caller.FindFirstValue(StreamClaim);
}
