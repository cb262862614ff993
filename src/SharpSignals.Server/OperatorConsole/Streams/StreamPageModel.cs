using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SharpSignals.Server.OperatorConsole.History;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.OperatorConsole.Streams;

/// <summary>What the stream page shows, from its query string: the entries' state filter and page, the charts' range, the subjects' page.</summary>
public sealed record StreamView(string? StateName, long? Before, long? After, bool Day, int SubjectPage)
{
    /// <summary>The entry states the filter offers, as the query string names them.</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> States =
    [
        ("pending", "pending"),
        ("delivered", "delivered"),
        ("dead_letter", "dead letter"),
    ];

    internal DeliveryState? State => StateName switch
    {
        "pending" => DeliveryState.Pending,
        "delivered" => DeliveryState.Delivered,
        "dead_letter" => DeliveryState.DeadLetter,
        _ => null,
    };

    internal static StreamView From(IQueryCollection query)
    {
        var state = query["state"].FirstOrDefault();
        return new StreamView(
            States.Any(s => s.Name == state) ? state : null,
            Position(query["before"].FirstOrDefault()),
            Position(query["after"].FirstOrDefault()),
            query["range"].FirstOrDefault() == "day",
            int.TryParse(query["subjects"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is > 0 and < 1_000_000 ? index - 1 : 0);

        static long? Position(string? text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0 ? position : null;
    }

    /// <summary>This page's URL with the entries from <paramref name="before"/> or <paramref name="after"/>, the rest kept.</summary>
    public string Url(string streamId, long? before = null, long? after = null, bool? day = null, int? subjectPage = null, bool keepState = true)
    {
        var parameters = new List<string>();
        if ((day ?? Day) is true)
        {
            parameters.Add("range=day");
        }

        if (keepState && StateName is not null)
        {
            parameters.Add("state=" + StateName);
        }

        if (before is { } b)
        {
            parameters.Add("before=" + b.ToString(CultureInfo.InvariantCulture));
        }

        if (after is { } a)
        {
            parameters.Add("after=" + a.ToString(CultureInfo.InvariantCulture));
        }

        if ((subjectPage ?? SubjectPage) is > 0 and var page)
        {
            parameters.Add("subjects=" + (page + 1).ToString(CultureInfo.InvariantCulture));
        }

        return StreamPageEndpoints.Url(streamId, string.Join('&', parameters));
    }
}

/// <summary>The stream itself: who and what it is, where it stands, its configuration as the management API shows it.</summary>
public sealed record StreamSummary(
    string StreamId,
    string Project,
    string Direction,
    string Method,
    string Status,
    string? StatusReason,
    long Pending,
    DateTimeOffset? OldestPendingAt,
    long DeadLetters,
    string? LastError,
    string Configuration)
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The configuration exactly as <c>GET /ssf/streams</c> answers it (<see cref="StreamCodec.Public"/>:
    /// no authorization header or source credential), indented for reading; the page escapes it.
    /// </summary>
    internal static StreamSummary From(StreamRoute route, StreamRecord record, StreamBacklog backlog)
    {
        using var compact = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(StreamCodec.Public(route.Configuration), StreamJsonContext.Default.StreamConfiguration));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            compact.WriteTo(writer);
        }

        return new StreamSummary(
            route.StreamId,
            route.Project,
            route.Configuration.Direction,
            route.IsPush ? "push" : "poll",
            record.Status,
            record.StatusReason,
            backlog.Pending,
            backlog.OldestPendingAt,
            backlog.DeadLetters,
            record.SourceError ?? backlog.LastError,
            System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}

/// <summary>The stream's delivery charts over the last hour (a point a minute) or day (a point a quarter hour).</summary>
public sealed record StreamCharts(
    IReadOnlyList<double?> Delivered,
    IReadOnlyList<double?> Failed,
    IReadOnlyList<double?> Backlog,
    IReadOnlyList<double?> LagSeconds,
    string Period,
    string Span)
{
    internal static StreamCharts From(IReadOnlyList<HistoryPoint> points, bool day) => new(
        [.. points.Select(p => (double?)p.Delivered)],
        [.. points.Select(p => (double?)p.Failed)],
        [.. points.Select(p => (double?)p.Backlog)],
        [.. points.Select(p => p.LagSeconds)],
        day ? "quarter hour" : "minute",
        day ? "day" : "hour");

    public double TotalDelivered => Delivered.Sum(v => v ?? 0);

    public double TotalFailed => Failed.Sum(v => v ?? 0);

    /// <summary>The latest sampled value of a series, for the chart's words.</summary>
    public static string Latest(IReadOnlyList<double?> values, string unit) =>
        values.LastOrDefault(v => v is not null) is { } last ? $"{last.ToString("0.#", CultureInfo.InvariantCulture)} {unit}" : "none sampled";
}

/// <summary>One entry of the stream with its attempts, newest first on the page.</summary>
public sealed record StreamEntryRow(
    long Position,
    string Jti,
    string State,
    int Attempts,
    string? LastError,
    DateTimeOffset QueuedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<AttemptRow> AttemptLog)
{
    internal static StreamEntryRow From(StreamEntry entry) => new(
        entry.Id,
        entry.Delivery.Jti,
        entry.Delivery.State switch
        {
            DeliveryState.Delivered => "delivered",
            DeliveryState.DeadLetter => "dead letter",
            _ => "pending",
        },
        entry.Delivery.Attempts,
        entry.Delivery.LastError,
        entry.Delivery.QueuedAt,
        entry.Delivery.CompletedAt,
        [.. entry.Delivery.AttemptLog.Reverse().Select(AttemptRow.From)]);

    /// <summary>The state in words with a symbol, never by colour alone.</summary>
    public string StateSymbol => State switch
    {
        "delivered" => "✓",
        "dead letter" => "✗",
        _ => "…",
    };
}

/// <summary>
/// One attempt, as <c>GET /events/{jti}</c> shows it in <c>attempt_log</c>: the HTTP status, the RFC
/// 8935 <c>err</c> and description, how long it took and the start of the receiver's answer.
/// </summary>
public sealed record AttemptRow(DateTimeOffset At, int? Status, string? Error, string? Description, string? Duration, string? Response)
{
    internal static AttemptRow From(DeliveryAttempt attempt) => new(
        attempt.At,
        attempt.Status,
        attempt.Error,
        attempt.Description,
        attempt.Duration is { } duration ? duration.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : null,
        attempt.Response);
}

/// <summary>A subject the receiver added to the stream or removed from it (SSF 1.0 §8.1.3).</summary>
public sealed record StreamSubjectRow(string Subject, bool Included, bool Verified, DateTimeOffset At)
{
    internal static StreamSubjectRow From(StreamSubject subject) => new(subject.Subject, subject.Included, subject.Verified, subject.AddedAt);
}

/// <summary>The replay form: exactly one start (a UTC time, a <c>jti</c> or a position) and whether it is a dry run.</summary>
public sealed record ReplayForm(string FromTime, string FromJti, string FromPosition, bool DryRun)
{
    /// <summary>What is wrong with the form when <see cref="Start"/> is null.</summary>
    public string Problem => "Give exactly one of a time (UTC, such as 2026-01-31T09:00), a jti or a position to replay from.";

    /// <summary>The start in words, for the confirmation.</summary>
    public string Describe() =>
        FromTime.Length > 0 ? $"from {FromTime} UTC"
        : FromJti.Length > 0 ? $"from the entry {FromJti}"
        : $"from position {FromPosition}";

    internal static ReplayForm From(IFormCollection form) => new(
        form["from_time"].ToString().Trim(),
        form["from_jti"].ToString().Trim(),
        form["from_position"].ToString().Trim(),
        form["dry_run"].ToString() == "true");

    /// <summary>Where the replay starts, or null unless exactly one well-formed start was given.</summary>
    internal ReplayStart? Start()
    {
        var given = new[] { FromTime, FromJti, FromPosition }.Count(v => v.Length > 0);
        if (given != 1)
        {
            return null;
        }

        if (FromTime.Length > 0)
        {
            return DateTimeOffset.TryParse(FromTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? ReplayStart.TryCreate(null, time, null)
                : null;
        }

        if (FromPosition.Length > 0)
        {
            return long.TryParse(FromPosition, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                ? ReplayStart.TryCreate(position, null, null)
                : null;
        }

        return ReplayStart.TryCreate(null, null, FromJti);
    }
}
