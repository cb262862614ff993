using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Intake;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.OperatorConsole.Events;

/// <summary>
/// The event search's filters, from its query string (the names of <c>GET /admin/events</c> where it
/// has them); a project-scoped viewer's project always applies. Times are UTC: the form's script
/// turns the viewer's local input into UTC before it is sent.
/// </summary>
public sealed record EventSearch(
    string? Jti,
    string? Txn,
    string? Subject,
    string? EventType,
    string? SourceStreamId,
    string? Project,
    DateTimeOffset? From,
    DateTimeOffset? To,
    long? Before,
    string? Error)
{
    /// <summary>How a time is written into the form's <c>datetime-local</c> fields.</summary>
    public const string InputFormat = "yyyy-MM-ddTHH:mm:ss";

    internal static EventSearch Read(IQueryCollection query, ConsoleViewer viewer)
    {
        var errors = new List<string>();
        var search = new EventSearch(
            Text(query, "jti"),
            Text(query, "txn"),
            Text(query, "subject"),
            Text(query, "event_type"),
            Text(query, "source_stream_id"),
            viewer.Scope(Text(query, "project")),
            Time(query, "from", errors),
            Time(query, "to", errors),
            Text(query, "before") is { } before
                ? long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0 ? position : Fail<long>("before must be a position, a whole number from 1", errors)
                : null,
            null);
        return errors.Count > 0 ? search with { Error = string.Join("; ", errors) + "." } : search;
    }

    internal EventQuery ToQuery(int limit) => new()
    {
        Project = Project,
        EventType = EventType,
        Txn = Txn,
        Subject = Subject,
        SourceStreamId = SourceStreamId,
        Since = From,
        Until = To,
        Before = Before,
        Limit = limit,
    };

    /// <summary>Whether any filter is set (the first page of everything otherwise).</summary>
    public bool IsFiltered => Txn is not null || Subject is not null || EventType is not null || SourceStreamId is not null || From is not null || To is not null;

    /// <summary>This search's URL from <paramref name="before"/> on (null: the newest page).</summary>
    public string Url(long? before)
    {
        var parameters = new StringBuilder();
        Add("txn", Txn);
        Add("subject", Subject);
        Add("event_type", EventType);
        Add("source_stream_id", SourceStreamId);
        Add("project", Project);
        Add("from", Input(From));
        Add("to", Input(To));
        Add("before", before?.ToString(CultureInfo.InvariantCulture));
        return EventsEndpoints.BasePath + (parameters.Length > 0 ? "?" + parameters.ToString(1, parameters.Length - 1) : "");

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
    }

    /// <summary>A time as the form's fields hold it, in UTC.</summary>
    public static string? Input(DateTimeOffset? at) => at?.UtcDateTime.ToString(InputFormat, CultureInfo.InvariantCulture);

    private static string? Text(IQueryCollection query, string name) =>
        query[name].FirstOrDefault()?.Trim() is { Length: > 0 } value ? value : null;

    /// <summary>A UTC time: what the form's script sends (ISO 8601 with Z), or the field as typed without script (read as UTC).</summary>
    private static DateTimeOffset? Time(IQueryCollection query, string name, List<string> errors) =>
        Text(query, name) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at
        : Fail<DateTimeOffset>($"{name} must be a date and time such as 2026-01-31T09:30", errors);

    private static T? Fail<T>(string error, List<string> errors)
        where T : struct
    {
        errors.Add(error);
        return null;
    }
}

/// <summary>One event in the search's results, and the facts at the top of an event's page.</summary>
public sealed record EventRow(
    string Jti,
    string Issuer,
    string Project,
    long Position,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<EventTypeName> EventTypes,
    string? Subject,
    string? Txn,
    string? SourceStreamId)
{
    internal static EventRow From(StoredEvent stored) => new(
        stored.Jti,
        stored.Issuer,
        stored.Project,
        stored.Position,
        stored.ReceivedAt,
        [.. stored.EventTypes.Select(EventTypeName.Of)],
        SubjectOf(stored.Token),
        stored.Txn,
        stored.SourceStreamId);

    /// <summary>
    /// The SET's <c>sub_id</c> as the subject search takes it (EventSubjects): <c>format:value</c> for
    /// each value, so what is shown can be searched for.
    /// </summary>
    private static string? SubjectOf(string token)
    {
        if (token.Split('.') is not [_, var encoded, ..])
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(encoded));
            if (payload.RootElement.ValueKind != JsonValueKind.Object || !payload.RootElement.TryGetProperty("sub_id", out var subject))
            {
                return null;
            }

            var values = new List<string>(2);
            Collect(subject, null, values);
            return values.Count > 0 ? string.Join(", ", values) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static void Collect(JsonElement element, string? format, List<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var own = element.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : format;
                foreach (var member in element.EnumerateObject().Where(m => m.Name != "format"))
                {
                    Collect(member.Value, own, values);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, format, values);
                }

                break;
            case JsonValueKind.String when values.Count < 4:
                values.Add(format is null ? element.GetString()! : $"{format}:{element.GetString()}");
                break;
        }
    }
}

/// <summary>An event type: its short name when the catalog knows it, and its URI.</summary>
public sealed record EventTypeName(string Name, string Uri)
{
    internal static EventTypeName Of(string uri) => new(EventCatalog.TryGet(uri, out var known) ? known.Name : uri, uri);
}

/// <summary>Where an event went on one stream (<c>GET /events/{jti}</c>'s <c>deliveries</c>).</summary>
public sealed record EventRouteView(
    string StreamId,
    bool StreamExists,
    string Jti,
    string State,
    int Attempts,
    string? LastError,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<DeliveryAttempt> AttemptLog)
{
    internal static EventRouteView From(EventDelivery delivery, bool streamExists) => new(
        delivery.StreamId,
        streamExists,
        delivery.Jti,
        DeliveryResponse.StateName(delivery.State),
        delivery.Attempts,
        delivery.LastError,
        delivery.QueuedAt,
        delivery.CompletedAt,
        delivery.AttemptLog);

    /// <summary>The state in words, with a symbol, never by colour alone.</summary>
    public string StateLabel => State switch
    {
        "delivered" => "✓ delivered",
        "pending" => "… pending",
        _ => "✗ dead letter",
    };
}
