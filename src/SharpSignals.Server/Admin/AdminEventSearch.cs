using System.Security.Claims;
using System.Globalization;
using System.Text.Json.Serialization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Intake;
using SharpSignals.Storage.Events;

namespace SharpSignals.Server.Admin;

/// <summary>
/// <c>GET /admin/events</c> (scope <c>admin</c>, docs/API.md, "Administration"): the events matching every
/// filter given, newest first, a page at a time. A parameter it does not know is refused rather than
/// ignored, so that a misspelt filter cannot pass for a search of everything.
/// </summary>
internal static class AdminEventSearch
{
    public const int DefaultLimit = 50;

    public const int MaxLimit = 500;

    private static readonly string[] Known = ["project", "event_type", "txn", "subject", "source_stream_id", "since", "until", "before", "limit"];

    public static IEndpointRouteBuilder MapAdminEventSearch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/events", Search).RequireAuthorization(Scopes.Admin)
            .ReadsQuery("project", "Only events of this project.")
            .ReadsQuery("event_type", "Only events of this type (a URI).")
            .ReadsQuery("txn", "Only events with this txn claim.")
            .ReadsQuery("subject", "Only events about this subject: a value of the sub_id claim (alice@example.com), or format:value (email:alice@example.com).")
            .ReadsQuery("source_stream_id", "Only events received by this inbound stream.")
            .ReadsQuery("since", "Only events stored at or after this time, seconds since 1970.", isInteger: true)
            .ReadsQuery("until", "Only events stored up to this time, seconds since 1970.", isInteger: true)
            .ReadsQuery("before", "Only events before this position (the next page).", isInteger: true)
            .ReadsQuery("limit", "At most this many events.", isInteger: true)
            .Produces<AdminEventPage>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> Search(HttpRequest request, ClaimsPrincipal caller, IEventLog log, CancellationToken cancellationToken)
    {
        var (query, problem) = Read(request.Query);
        if (problem is not null)
        {
            return problem;
        }

        // Only the admin's tenant's events (docs/TENANTS.md), a named project within it.
        query = query! with { Project = query.Project is { } named ? caller.AdminProject(named) : null, Tenant = caller.Tenant() };
        var found = await log.SearchAsync(query, cancellationToken);
        var events = found.Select(StoredEventResponse.Summary).ToArray();

        // A full page may have more behind it; the next one starts below its last position.
        return TypedResults.Json(
            new AdminEventPage(events, events.Length == query.Limit ? events[^1].Position : null),
            AdminEventJsonContext.Default.AdminEventPage);
    }

    private static (EventQuery? Query, IResult? Problem) Read(IQueryCollection parameters)
    {
        if (parameters.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return (null, Problems.BadRequest($"Unknown parameter '{unknown}'; the search takes {string.Join(", ", Known)}."));
        }

        var errors = new List<string>();
        var query = new EventQuery
        {
            Project = Text(parameters, "project"),
            EventType = Text(parameters, "event_type"),
            Txn = Text(parameters, "txn"),
            Subject = Text(parameters, "subject"),
            SourceStreamId = Text(parameters, "source_stream_id"),
            Since = Seconds(parameters, "since", errors),
            Until = Seconds(parameters, "until", errors),
            Before = Number(parameters, "before", 1, long.MaxValue, "before must be a position, a whole number from 1", errors),
            Limit = (int)(Number(parameters, "limit", 1, MaxLimit, $"limit must be a whole number from 1 to {MaxLimit}", errors) ?? DefaultLimit),
        };
        return errors.Count > 0 ? (null, Problems.BadRequest(string.Join("; ", errors), errors)) : (query, null);
    }

    private static string? Text(IQueryCollection parameters, string name) =>
        parameters[name].FirstOrDefault() is { Length: > 0 } value ? value : null;

    private static DateTimeOffset? Seconds(IQueryCollection parameters, string name, List<string> errors) =>
        Number(parameters, name, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds(), $"{name} must be a time in seconds since 1970", errors) is { } seconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static long? Number(IQueryCollection parameters, string name, long min, long max, string error, List<string> errors)
    {
        if (Text(parameters, name) is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(error);
        return null;
    }
}

/// <summary>One page of <c>GET /admin/events</c>: the events as <c>GET /events/{jti}</c> shows them, less claims, token and deliveries.</summary>
internal sealed record AdminEventPage(
    [property: JsonPropertyName("events")] IReadOnlyList<StoredEventResponse> Events,
    [property: JsonPropertyName("next_before")] long? NextBefore);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminEventPage))]
internal sealed partial class AdminEventJsonContext : JsonSerializerContext;
