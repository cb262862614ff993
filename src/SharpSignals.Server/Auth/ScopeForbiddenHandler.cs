using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SharpSignals.Server.Auth;

/// <summary>Writes RFC 6750 §3.1 <c>insufficient_scope</c> with the scope that was missing on a 403.</summary>
internal sealed class ScopeForbiddenHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is { } missing)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers.WWWAuthenticate = BearerChallenge.InsufficientScope(missing.Scope);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
