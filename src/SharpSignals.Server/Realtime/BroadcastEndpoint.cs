using System.Security.Claims;
using System.Text.Json;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Intake;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// notiflux's broadcast, <c>POST /broadcast</c>: <c>{"topic", "message", "token"}</c> with a token of
/// scope <c>broadcast</c> for the topic. With <c>"event"</c> (the body of <c>POST /events</c>) the
/// broadcast is also published as a SET: that needs the caller's own right to publish into a project
/// (<c>Authorization: Bearer</c> with <c>event.publish</c>, the project being the token's, or for
/// the admin <c>?project=</c>, exactly as for <c>POST /events</c>), because a topic token names
/// topics, never projects. The SET is on disk and routed before the message goes out; a refused
/// event relays nothing. Without a <c>message</c>, subscribers get the signed SET itself.
/// </summary>
internal static partial class BroadcastEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request,
        HttpResponse response,
        ClaimsPrincipal caller,
        TopicHub topics,
        TopicTokenValidator topicTokens,
        EventPublisher publisher,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        if (Read(body).Failed(out var invalid, out var broadcast))
        {
            return invalid.ToResult();
        }

        var (topic, token, message, securityEvent) = broadcast;
        var logger = loggers.CreateLogger(typeof(RealtimeEndpoints).FullName!);
        var (verified, error) = await topicTokens.ValidateAsync(token, TopicScopes.Broadcast, topic, cancellationToken);
        if (verified is null)
        {
            LogBroadcastRefused(logger, topic, error!.Code);
            return RealtimeEndpoints.Refuse(error);
        }

        string? jti = null;
        int? streams = null;
        if (securityEvent is { } eventBody)
        {
            if (RefusePublisher(caller, response, logger, topic) is { } refused)
            {
                return refused;
            }

            var outcome = await publisher.PublishAsync(JsonBody.Of(eventBody), PublishEndpoints.ProjectOf(caller, request), signed: true, cancellationToken);
            if (outcome.Jti is null)
            {
                return PublishEndpoints.Refusal(outcome with { Errors = [.. outcome.Errors.Select(e => "event: " + e)] }, response);
            }

            jti = outcome.Jti;
            streams = outcome.Streams;
            message ??= outcome.Token;
        }

        return await RelayAsync(topics, topic, message!, jti, streams, response, logger, cancellationToken);
    }

    /// <summary>topic and token, and message unless there is an event: every one missing is named.</summary>
    private static Outcome<BroadcastRequest> Read(JsonBody body)
    {
        var topic = body.String("topic");
        var token = body.String("token");
        var message = body.String("message");
        var securityEvent = body.Object("event");
        var required = new List<(string Name, string? Value)> { ("topic", topic), ("token", token) };
        if (securityEvent is null)
        {
            required.Add(("message", message));
        }

        foreach (var (name, value) in required.Where(r => r.Value is null && !body.Errors.Any(e => e.StartsWith(r.Name + " ", StringComparison.Ordinal))))
        {
            body.Errors.Add(name == "message" ? "message is required and must be a string (or event, to publish a SET)" : $"{name} is required and must be a string");
        }

        return body.Errors.Count > 0 ? Failure.Invalid(body.Errors) : new BroadcastRequest(topic!, token!, message, securityEvent);
    }

    /// <summary>
    /// RFC 6750 §3.1: no credential is a plain challenge, a bad one invalid_token (the bearer handler
    /// has already read it); a good one without event.publish is 403. Null when the caller may publish.
    /// </summary>
    private static IResult? RefusePublisher(ClaimsPrincipal caller, HttpResponse response, ILogger logger, string topic)
    {
        if (caller.Identity?.IsAuthenticated != true)
        {
            LogBroadcastRefused(logger, topic, "no publish credential");
            return TypedResults.Challenge();
        }

        if (!caller.IsAdmin() && !caller.HasScope(Scopes.Publish))
        {
            LogBroadcastRefused(logger, topic, RealtimeErrors.InsufficientScope);
            response.Headers.WWWAuthenticate = BearerChallenge.InsufficientScope(Scopes.Publish);
            return Problems.Forbidden($"Publishing the broadcast's event needs the {Scopes.Publish} scope.");
        }

        return null;
    }

    private static async Task<IResult> RelayAsync(TopicHub topics, string topic, string message, string? jti, int? streams, HttpResponse response, ILogger logger, CancellationToken cancellationToken)
    {
        BroadcastResponse relayed;
        try
        {
            relayed = await topics.PublishAsync(topic, message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // On a cluster the message's id comes from the database, which may be away for a moment.
            LogBroadcastFailed(logger, ex, topic);
            response.Headers.RetryAfter = "1";
            return Problems.ServiceUnavailable(jti is null
                ? "The message could not be relayed now; send it again shortly."
                : $"The event was published as SET {jti}, but the message could not be relayed now; send the message again without the event.");
        }

        return TypedResults.Json(relayed with { Jti = jti, Streams = streams }, RealtimeJsonContext.Default.BroadcastResponse);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcast to topic {Topic} could not be relayed")]
    private static partial void LogBroadcastFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast to topic {Topic} refused: {Error}")]
    private static partial void LogBroadcastRefused(ILogger logger, string topic, string error);

    private sealed record BroadcastRequest(string Topic, string Token, string? Message, JsonElement? Event);
}
