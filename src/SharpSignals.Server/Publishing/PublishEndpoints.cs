using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Events;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Publishing;

/// <summary><c>POST /events</c> (docs/API.md): publish one event into the caller's project.</summary>
internal static class PublishEndpoints
{
    /// <summary>Claims the server sets itself; SSF 1.0 §4.1.2 forbids sub and exp altogether.</summary>
    private static readonly string[] ServerSetClaims = ["iss", "jti", "iat", "aud", "sub", "exp"];

    public static IEndpointRouteBuilder MapPublishApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events", Publish).RequireAuthorization(Scopes.Publish);
        app.MapGet("/events/{jti}", GetEvent).RequireAuthorization(Scopes.Publish);
        return app;
    }

    private static async Task<IResult> Publish(HttpRequest request, HttpResponse response, ClaimsPrincipal caller, SetIssuer issuer, EventRouter router, IngestGate gate, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        RoutedEvent routed;
        SecurityEventToken? set;
        using (var turn = await gate.EnterAsync(cancellationToken))
        {
            if (turn is null)
            {
                response.Headers.RetryAfter = "1";
                return Problems.ServiceUnavailable("Too many events are waiting to be taken in; send again shortly.");
            }

            var project = caller.IsAdmin() ? request.Query["project"].FirstOrDefault() ?? CallerClaims.DefaultProject : caller.Project();
            IReadOnlyList<string> errors;
            (set, errors) = ReadEvent(body, issuer.Issuer, time.GetUtcNow());
            if (set is null)
            {
                return Problems.BadRequest(string.Join("; ", errors), errors);
            }

            routed = router.Route(set, issuer.Sign(set), project, sourceStreamId: null);
        }

        // The wait for the commit is outside the turn, so that concurrent publishes share commits.
        await router.AppendAsync(routed, cancellationToken);
        return TypedResults.Json(new PublishResponse(set.Jti), PublishJsonContext.Default.PublishResponse, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> GetEvent(string jti, ClaimsPrincipal caller, IEventLog log, CancellationToken cancellationToken)
    {
        var stored = await log.FindByJtiAsync(jti, cancellationToken);
        if (stored is null || (!caller.IsAdmin() && stored.Project != caller.Project()))
        {
            return Problems.NotFound($"There is no event '{jti}'.");
        }

        var payload = stored.Token.Split('.') is [_, var encoded, ..] ? Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(encoded) : "{}";
        using var claims = JsonDocument.Parse(payload);
        return TypedResults.Json(
            new StoredEventResponse(stored.Jti, stored.Issuer, stored.Project, stored.Position, stored.ReceivedAt.ToUnixTimeSeconds(), stored.EventTypes, stored.Txn, stored.SourceStreamId, claims.RootElement.Clone(), stored.Token),
            PublishJsonContext.Default.StoredEventResponse);
    }

    /// <summary>Reads <c>{"events", "sub_id", "txn"?, "toe"?}</c> into a SET from this issuer, checked against the catalog.</summary>
    private static (SecurityEventToken? Set, IReadOnlyList<string> Errors) ReadEvent(JsonBody body, string issuer, DateTimeOffset now)
    {
        var errors = body.Errors;
        var events = new List<SecurityEvent>();
        if (body.Object("events") is { } eventsElement)
        {
            foreach (var member in eventsElement.EnumerateObject())
            {
                var read = EventCatalog.Read(member.Name, member.Value);
                errors.AddRange(read.Errors.Select(e => "events: " + e));
                if (read.Event is not null)
                {
                    events.Add(read.Event);
                }
            }
        }
        else if (!errors.Any(e => e.StartsWith("events", StringComparison.Ordinal)))
        {
            errors.Add("events is required: an object of one event type URI and its payload");
        }

        SubjectIdentifier? subject = null;
        if (body.Object("sub_id") is { } subjectElement)
        {
            var read = SubjectIdentifier.Read(subjectElement);
            subject = read.Subject;
            errors.AddRange(read.Errors);
        }

        var txn = body.String("txn");
        var toe = body.Int64("toe");
        foreach (var forbidden in ServerSetClaims.Where(body.Has))
        {
            errors.Add($"{forbidden} is set by the server and cannot be published");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var set = new SecurityEventToken
        {
            Issuer = issuer,
            IssuedAt = now,
            Jti = SetIds.NewJti(),
            Txn = txn,
            TimeOfEvent = toe is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null,
            Subject = subject,
            Events = events,
        };
        var problems = set.Validate();
        return problems.Count == 0 ? (set, []) : (null, problems);
    }
}

internal sealed record PublishResponse([property: JsonPropertyName("jti")] string Jti);

internal sealed record StoredEventResponse(
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("received_at")] long ReceivedAt,
    [property: JsonPropertyName("event_types")] IReadOnlyList<string> EventTypes,
    [property: JsonPropertyName("txn")] string? Txn,
    [property: JsonPropertyName("source_stream_id")] string? SourceStreamId,
    [property: JsonPropertyName("claims")] JsonElement Claims,
    [property: JsonPropertyName("token")] string Token);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(StoredEventResponse))]
internal sealed partial class PublishJsonContext : JsonSerializerContext;
