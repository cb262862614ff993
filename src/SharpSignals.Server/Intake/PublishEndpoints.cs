using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Keys;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Intake;

/// <summary>
/// <c>POST /events</c> (docs/API.md): publish one event into the caller's project; <c>GET /events/{jti}</c>:
/// an event as stored, and where it went.
/// </summary>
internal static class PublishEndpoints
{
    public static IEndpointRouteBuilder MapPublishApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events", Publish).RequireAuthorization(Scopes.Publish)
            .ReadsQuery("project", "The admin only: the project to publish into (default: the default project).")
            .Reads<PublishRequest>().Produces<PublishResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        app.MapGet("/events/{jti}", GetEvent).RequireAuthorization(Scopes.Publish)
            .ReadsQuery("project", "The admin only: the project the event was published in.")
            .Produces<StoredEventResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Publish(HttpRequest request, HttpResponse response, ClaimsPrincipal caller, EventPublisher publisher, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await publisher.PublishAsync(body, ProjectOf(caller, request), signed: false, cancellationToken);
        return outcome.Jti is { } jti
            ? TypedResults.Json(new PublishResponse(jti, outcome.Streams), PublishJsonContext.Default.PublishResponse, statusCode: StatusCodes.Status202Accepted)
            : Refusal(outcome, response);
    }

    /// <summary>The project an event is published into: the caller's, or for the admin the one <c>?project=</c> names.</summary>
    public static string ProjectOf(ClaimsPrincipal caller, HttpRequest request) =>
        caller.IsAdmin() ? caller.AdminProject(request.Query["project"].FirstOrDefault()) : caller.Project();

    /// <summary>The answer to a publish that was not taken: 503 with Retry-After when busy, else 400 naming every problem.</summary>
    public static IResult Refusal(PublishOutcome outcome, HttpResponse response)
    {
        if (outcome.IsBusy)
        {
            response.Headers.RetryAfter = "1";
            return Problems.ServiceUnavailable("Too many events are waiting to be taken in, or delivery is behind; send again shortly.");
        }

        return Problems.BadRequest(string.Join("; ", outcome.Errors), outcome.Errors);
    }

    private static async Task<IResult> GetEvent(string jti, HttpRequest request, ClaimsPrincipal caller, IEventLog log, IDeliveryStore deliveries, SetIssuer issuer, CancellationToken cancellationToken)
    {
        // The same SET may be stored once in each project it reached: a client sees its project's
        // copy only, the admin any project's, or the one ?project= names.
        var project = !caller.IsAdmin() ? caller.Project()
            : request.Query["project"].FirstOrDefault() is { } named ? caller.AdminProject(named) : null;
        if (await StoredEventDetail.FindAsync(log, deliveries, project, jti, cancellationToken) is not { } found
            || !caller.SharesTenant(found.Event.Project))
        {
            return Problems.NotFound($"There is no event '{jti}'.");
        }

        return TypedResults.Json(
            StoredEventResponse.Summary(found.Event) with { Claims = found.Claims, Token = issuer.SignStored(found.Event.Token, TenantProjects.TenantOf(found.Event.Project)), Deliveries = [.. found.Deliveries.Select(DeliveryResponse.From)] },
            PublishJsonContext.Default.StoredEventResponse);
    }
}

/// <summary>The answer to a publish: the event's <c>jti</c>, and how many streams it was routed to (0 when none matched).</summary>
internal sealed record PublishResponse(
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("streams")] int Streams);

/// <summary>An event as stored; the event search lists it without its claims, token and deliveries.</summary>
internal sealed record StoredEventResponse(
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("received_at")] long ReceivedAt,
    [property: JsonPropertyName("event_types")] IReadOnlyList<string> EventTypes,
    [property: JsonPropertyName("txn")] string? Txn,
    [property: JsonPropertyName("source_stream_id")] string? SourceStreamId)
{
    [JsonPropertyName("claims")]
    public JsonElement? Claims { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("deliveries")]
    public IReadOnlyList<DeliveryResponse>? Deliveries { get; init; }

    public static StoredEventResponse Summary(StoredEvent stored) =>
        new(stored.Jti, stored.Issuer, TenantProjects.LocalName(stored.Project), stored.Position, stored.ReceivedAt.ToUnixTimeSeconds(), stored.EventTypes, stored.Txn, stored.SourceStreamId);
}

/// <summary>Where an event went on one stream: its entry there, and where that stands.</summary>
internal sealed record DeliveryResponse(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("queued_at")] long QueuedAt,
    [property: JsonPropertyName("completed_at")] long? CompletedAt,
    [property: JsonPropertyName("attempt_log")] IReadOnlyList<AttemptResponse> AttemptLog)
{
    public static DeliveryResponse From(EventDelivery delivery) => new(
        delivery.StreamId,
        delivery.Jti,
        StateName(delivery.State),
        delivery.Attempts,
        delivery.LastError,
        delivery.QueuedAt.ToUnixTimeSeconds(),
        delivery.CompletedAt?.ToUnixTimeSeconds(),
        [.. delivery.AttemptLog.Select(AttemptResponse.From)]);

    /// <summary>How the API names a delivery state: <c>pending</c>, <c>delivered</c> or <c>dead_letter</c>.</summary>
    public static string StateName(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "pending",
        DeliveryState.Delivered => "delivered",
        _ => "dead_letter",
    };
}

/// <summary>
/// One kept delivery attempt (oldest first): a push with the receiver's answer, or a poll
/// acknowledgement or <c>setErrs</c> report (time, and <c>err</c> for an error, only).
/// </summary>
internal sealed record AttemptResponse(
    [property: JsonPropertyName("at")] double At,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("err")] string? Error,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("duration_ms")] double? DurationMs,
    [property: JsonPropertyName("response")] string? Response)
{
    /// <summary>Times in seconds with milliseconds, as attempts come closer together than a second.</summary>
    public static AttemptResponse From(DeliveryAttempt attempt) => new(
        attempt.At.ToUnixTimeMilliseconds() / 1000.0,
        attempt.Status,
        attempt.Error,
        attempt.Description,
        attempt.Duration?.TotalMilliseconds,
        attempt.Response);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(StoredEventResponse))]
internal sealed partial class PublishJsonContext : JsonSerializerContext;
