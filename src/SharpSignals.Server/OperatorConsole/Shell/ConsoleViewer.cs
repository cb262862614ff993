using System.Security.Claims;
using SharpSignals.Server.Auth;

namespace SharpSignals.Server.OperatorConsole.Shell;

/// <summary>
/// Who is signed in to the console and what they may see: every project (the admin token, or an
/// identity-provider user with the admin scope), or one project only.
/// </summary>
/// <param name="Name">Shown in the header: "admin token", or the user's name and the provider they signed in with.</param>
/// <param name="Project">The one project they see and change; null for every project.</param>
public sealed record ConsoleViewer(string Name, string? Project)
{
    public bool SeesEveryProject => Project is null;

    /// <summary>Whether the viewer may see and act on something of <paramref name="project"/>.</summary>
    public bool MaySee(string project) => Project is null || string.Equals(Project, project, StringComparison.Ordinal);

    /// <summary>The project filter to apply: the viewer's own, or the one asked for when they see every project.</summary>
    public string? Scope(string? asked) => Project ?? (string.IsNullOrEmpty(asked) ? null : asked);

    internal static ConsoleViewer Of(ClaimsPrincipal user) =>
        new(ConsoleSession.Describe(user), user.IsAdmin() ? null : user.Project());
}
