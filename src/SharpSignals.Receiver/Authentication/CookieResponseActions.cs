using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver.Authentication;

/// <summary>
/// Wraps the events of every cookie scheme: at sign-in the session's start is recorded in the
/// ticket (kept when a sliding expiration renews it); on every request the cookie is checked against
/// the user's security state. A session begun at or before a revocation or credential change is
/// rejected and signed out; a disabled account's cookie is rejected but kept, so it works again once
/// the account is enabled. Schemes that set <c>EventsType</c> are left alone.
/// </summary>
internal sealed partial class CookieResponseActions(SubjectSecurityStates states, TimeProvider time, ILogger<CookieResponseActions> logger)
    : IPostConfigureOptions<CookieAuthenticationOptions>
{
    /// <summary>The ticket property holding the session's start, in seconds since the epoch.</summary>
    public const string SignedInAtItem = "sharpsignals.signed_in_at";

    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EventsType is not null)
        {
            LogEventsTypeSkipped(logger, name ?? "");
            return;
        }

        var events = options.Events;
        var signingIn = events.OnSigningIn;
        var validatePrincipal = events.OnValidatePrincipal;
        events.OnSigningIn = async context =>
        {
            context.Properties.Items.TryAdd(SignedInAtItem, time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            await signingIn(context);
        };
        events.OnValidatePrincipal = async context =>
        {
            await validatePrincipal(context);
            if (context.Principal is not { } principal)
            {
                return;
            }

            if (states.WhySessionEnds(principal, SignedInAt(context.Properties)) is not { } reason)
            {
                return;
            }

            context.RejectPrincipal();
            LogRejected(logger, context.Scheme.Name, reason);
            if (reason != SubjectSecurityStates.AccountDisabledReason)
            {
                await context.HttpContext.SignOutAsync(context.Scheme.Name);
            }
        };
    }

    private static DateTimeOffset? SignedInAt(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(SignedInAtItem, out var seconds) && long.TryParse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? DateTimeOffset.FromUnixTimeSeconds(value)
            : properties.IssuedUtc;

    [LoggerMessage(Level = LogLevel.Information, Message = "Cookie of scheme {Scheme} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string scheme, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cookie scheme '{Scheme}' sets EventsType; shared signals response actions are not applied to it")]
    private static partial void LogEventsTypeSkipped(ILogger logger, string scheme);
}
