using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace SharpSignals.Receiver.Authentication;

/// <summary>
/// A credential the response actions turned anonymous still authenticated, so authorization would
/// answer 403; the caller must instead be asked to authenticate again (RFC 6750 §3.1: an invalid or
/// revoked token is answered 401). A refusal of an unauthenticated user becomes a challenge.
/// </summary>
internal sealed class ResponseActionAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler inner) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var result = authorizeResult.Forbidden && context.User.Identity is not { IsAuthenticated: true }
            ? PolicyAuthorizationResult.Challenge()
            : authorizeResult;
        return inner.HandleAsync(next, context, policy, result);
    }
}
