using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver.Authentication;

/// <summary>
/// Runs after every successful authentication, whatever the scheme (bearer tokens included): a
/// user whose account is disabled, or whose token's <c>iat</c> is at or before a revocation or
/// credential change, becomes anonymous, so authorization refuses the request. Any claims
/// transformation registered before the receiver still runs first.
/// </summary>
internal sealed class ResponseActionClaimsTransformation(SubjectSecurityStates states, IClaimsTransformation? inner) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (inner is not null)
        {
            principal = await inner.TransformAsync(principal);
        }

        if (states.GetFor(principal) is not { } state)
        {
            return principal;
        }

        // A token without iat can only be judged on the account: whether it predates a revocation is unknown.
        var issuedAt = principal.FindFirst("iat") is { } iat && long.TryParse(iat.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : (DateTimeOffset?)null;
        var ends = state.AccountDisabled
            || (issuedAt is { } issued && (issued <= state.SessionsRevokedAt || issued <= state.CredentialChangedAt));
        return ends ? new ClaimsPrincipal(new ClaimsIdentity()) : principal;
    }
}
