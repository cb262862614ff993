using Microsoft.AspNetCore.Authorization;

namespace SharpSignals.Server.Auth;

/// <summary>Admin holds every scope; <c>ssf.manage</c> also grants <c>ssf.read</c>.</summary>
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var caller = context.User;
        if (caller.IsAdmin() || caller.HasScope(requirement.Scope) || (requirement.Scope == Scopes.Read && caller.HasScope(Scopes.Manage)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
