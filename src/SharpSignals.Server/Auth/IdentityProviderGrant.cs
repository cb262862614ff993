using System.Security.Claims;

namespace SharpSignals.Server.Auth;

/// <summary>
/// What a user or caller of the organisation's identity provider is granted here, read from the
/// claims the provider signed with the <see cref="IdentityProviderOptions"/> mapping: the admin when
/// <c>AdminClaim</c> holds <c>AdminValue</c>, otherwise the one project <c>ProjectsClaim</c> names.
/// Bearer tokens (<see cref="IdentityProviderBearer"/>) and the console's sign-in read it alike.
/// </summary>
/// <param name="IsAdmin">Whether the admin claim holds the admin value.</param>
/// <param name="Projects">The distinct values of the projects claim (empty for the admin).</param>
internal sealed record IdentityProviderGrant(bool IsAdmin, IReadOnlyList<string> Projects)
{
    /// <summary>The one valid project granted; null for the admin, or when the claim names none, several or an invalid one.</summary>
    public string? Project => !IsAdmin && Projects is [var project] && ProjectNames.IsValid(project) ? project : null;

    /// <summary>Why nothing is granted; null when the admin or one project is.</summary>
    public string? Refusal => IsAdmin || Project is not null
        ? null
        : Projects.Count == 0 ? "The token grants neither the admin role nor a project." : "The token must name exactly one valid project.";

    public static IdentityProviderGrant Of(ClaimsPrincipal token, IdentityProviderOptions settings) =>
        settings.AdminClaim is { Length: > 0 } adminClaim && Values(token, adminClaim).Contains(settings.AdminValue, StringComparer.Ordinal)
            ? new(IsAdmin: true, [])
            : new(IsAdmin: false, settings.ProjectsClaim is { Length: > 0 } projectsClaim ? Values(token, projectsClaim).Distinct(StringComparer.Ordinal).ToList() : []);

    /// <summary>Every value of a claim, whether the token holds an array or a space-separated string.</summary>
    public static IEnumerable<string> Values(ClaimsPrincipal token, string claim) =>
        token.FindAll(claim).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
