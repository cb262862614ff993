using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SharpSignals.Receiver.Push;
using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver;

/// <summary>Maps the receiver's HTTP endpoints.</summary>
public static class SharedSignalsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the RFC 8935 push endpoint at <paramref name="pattern"/> (POST). The transmitter authenticates
    /// with the credential the receiver gave it when it created the stream, so the endpoint allows
    /// anonymous callers as far as the application's authorization goes.
    /// </summary>
    /// <param name="endpoints">The application's routes.</param>
    /// <param name="pattern">The route, such as <c>/ssf/events</c>; <c>PushEndpointUrl</c> must reach it.</param>
    /// <returns>The endpoint, for further conventions.</returns>
    public static RouteHandlerBuilder MapSharedSignalsReceiver(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost(pattern, PushEndpoint.ReceiveAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithName("SharedSignalsPush");
    }

    /// <summary>
    /// Maps <c>GET {pattern}?format=email&amp;email=...</c> (or <c>format=iss_sub&amp;iss=..&amp;sub=..</c>,
    /// <c>format=opaque&amp;id=..</c>, <c>format=phone_number&amp;phone_number=..</c>): the security state
    /// of one subject as JSON, 404 when nothing was reported about it. It requires an authenticated
    /// caller; add a stricter policy with <c>RequireAuthorization("policy")</c>.
    /// </summary>
    /// <param name="endpoints">The application's routes.</param>
    /// <param name="pattern">The route, such as <c>/ssf/security-state</c>.</param>
    /// <returns>The endpoint, for further conventions.</returns>
    public static RouteHandlerBuilder MapSubjectSecurityState(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, SecurityStateEndpoint.Get).RequireAuthorization().WithName("SharedSignalsSecurityState");
    }
}
