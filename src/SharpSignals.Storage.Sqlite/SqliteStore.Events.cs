using Microsoft.Data.Sqlite;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string InsertEvent = """
        INSERT INTO events (jti, issuer, project, event_types, txn, source_stream_id, token, received_at, trace_parent)
        VALUES ($jti, $issuer, $project, $types, $txn, $source, $token, $at, $trace)
        ON CONFLICT (jti, issuer, project) DO NOTHING
        RETURNING position
        """;

    private const string FindEventPosition = "SELECT position FROM events WHERE jti = $jti AND issuer = $issuer AND project = $project";

    private const string InsertDelivery = """
        INSERT INTO deliveries (stream_id, event_position, jti, token, created_at)
        VALUES ($stream, $event, $jti, $token, $at)
        """;

    private const string InsertEventSubject = "INSERT OR IGNORE INTO event_subjects (subject, event_position) VALUES ($subject, $event)";

    private const string InsertEventType = "INSERT OR IGNORE INTO event_type_index (event_type, event_position) VALUES ($type, $event)";

    private const string EventColumns = "position, issuer, jti, project, event_types, token, received_at, txn, source_stream_id";

    /// <inheritdoc/>
    public async ValueTask<AppendResult> AppendAsync(NewEvent newEvent, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        ArgumentNullException.ThrowIfNull(deliveries);
        return await _writer.ExecuteAsync(context => Append(context, newEvent, deliveries), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredEvent?> FindAsync(string project, string issuer, string jti, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT {EventColumns} FROM events WHERE jti = $jti AND issuer = $issuer AND project = $project",
            p =>
            {
                p.AddWithValue("$jti", jti);
                p.AddWithValue("$issuer", issuer);
                p.AddWithValue("$project", project);
            },
            ReadEvent,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<StoredEvent?> FindByJtiAsync(string? project, string jti, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"""
            SELECT {EventColumns} FROM events WHERE jti = $jti AND ($project IS NULL OR project = $project)
            UNION ALL
            SELECT {EventColumns} FROM events WHERE position IN (SELECT event_position FROM deliveries WHERE jti = $jti) AND ($project IS NULL OR project = $project)
            LIMIT 1
            """,
            p =>
            {
                p.AddWithValue("$jti", jti);
                p.AddWithValue("$project", (object?)project ?? DBNull.Value);
            },
            ReadEvent,
            cancellationToken).ConfigureAwait(false);

    /// <summary>The admin's event search (<see cref="EventSearchSql"/>), served by the indexes of migration 0014.</summary>
    // An event type matches a whole word of the space-separated list; instr, unlike LIKE, gives no
    // meaning to the "_" and "%" that URIs may hold.
    internal static string SearchEventsSql(EventQuery query) =>
        EventSearchSql.Build(query, EventColumns, '$', "instr(' ' || event_types || ' ', ' ' || $type || ' ') > 0", "min");

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StoredEvent>> SearchAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await ReadListAsync(
            SearchEventsSql(query),
            p => BindSearch(p, query),
            MapEvent,
            cancellationToken).ConfigureAwait(false);
    }

    internal static void BindSearch(SqliteParameterCollection p, EventQuery query)
    {
        p.AddWithValue("$before", query.Before ?? long.MaxValue);
        p.AddWithValue("$subject", (object?)query.Subject ?? DBNull.Value);
        p.AddWithValue("$project", (object?)query.Project ?? DBNull.Value);
        p.AddWithValue("$tenant_projects", query.Tenant is null ? DBNull.Value : TenantProjects.LikePattern(query.Tenant));
        p.AddWithValue("$type", (object?)query.EventType ?? DBNull.Value);
        p.AddWithValue("$txn", (object?)query.Txn ?? DBNull.Value);
        p.AddWithValue("$source", (object?)query.SourceStreamId ?? DBNull.Value);
        p.AddWithValue("$since", ToUnixMsOrNull(query.Since));
        p.AddWithValue("$until", ToUnixMsOrNull(query.Until));
        p.AddWithValue("$since_bound", ToUnixMsOrNull(EventSearchSql.SinceBound(query)));
        p.AddWithValue("$until_bound", ToUnixMsOrNull(EventSearchSql.UntilBound(query)));
        p.AddWithValue("$limit", query.Limit);
    }

    private static AppendResult Append(SqliteWriteContext context, NewEvent newEvent, IReadOnlyList<NewDelivery> deliveries)
    {
        var insert = context.Command(InsertEvent);
        insert.Parameters.AddWithValue("$jti", newEvent.Jti);
        insert.Parameters.AddWithValue("$issuer", newEvent.Issuer);
        insert.Parameters.AddWithValue("$project", newEvent.Project);
        insert.Parameters.AddWithValue("$types", string.Join(' ', newEvent.EventTypes));
        insert.Parameters.AddWithValue("$txn", (object?)newEvent.Txn ?? DBNull.Value);
        insert.Parameters.AddWithValue("$source", (object?)newEvent.SourceStreamId ?? DBNull.Value);
        insert.Parameters.AddWithValue("$token", newEvent.Token);
        insert.Parameters.AddWithValue("$at", ToUnixMs(newEvent.ReceivedAt));
        insert.Parameters.AddWithValue("$trace", (object?)newEvent.TraceParent ?? DBNull.Value);
        if (insert.ExecuteScalar() is not long position)
        {
            var existing = context.Command(FindEventPosition);
            existing.Parameters.AddWithValue("$jti", newEvent.Jti);
            existing.Parameters.AddWithValue("$issuer", newEvent.Issuer);
            existing.Parameters.AddWithValue("$project", newEvent.Project);
            return new AppendResult((long)existing.ExecuteScalar()!, IsDuplicate: true);
        }

        foreach (var delivery in deliveries)
        {
            var command = context.Command(InsertDelivery);
            command.Parameters.AddWithValue("$stream", delivery.StreamId);
            command.Parameters.AddWithValue("$event", position);
            command.Parameters.AddWithValue("$jti", delivery.Jti);
            command.Parameters.AddWithValue("$token", (object?)delivery.Token ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", ToUnixMs(newEvent.ReceivedAt));
            command.ExecuteNonQuery();
        }

        foreach (var type in newEvent.EventTypes)
        {
            var command = context.Command(InsertEventType);
            command.Parameters.AddWithValue("$type", type);
            command.Parameters.AddWithValue("$event", position);
            command.ExecuteNonQuery();
        }

        foreach (var subject in newEvent.SubjectKeys)
        {
            var command = context.Command(InsertEventSubject);
            command.Parameters.AddWithValue("$subject", subject);
            command.Parameters.AddWithValue("$event", position);
            command.ExecuteNonQuery();
        }

        return new AppendResult(position, IsDuplicate: false);
    }

    private static StoredEvent? ReadEvent(SqliteDataReader reader) => reader.Read() ? MapEvent(reader) : null;

    private static StoredEvent MapEvent(SqliteDataReader reader) =>
        new(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            reader.GetString(5),
            FromUnixMs(reader.GetInt64(6)),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetString(8));
}
