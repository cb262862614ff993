using Npgsql;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Postgres;

public sealed partial class PostgresStore
{
    // The event, its delivery entries, its types and its subjects' search keys in one statement (one round trip): the entries are only
    // queued when the event was new, and in the order given. A duplicate (issuer, jti) in the same
    // project inserts nothing and returns no row.
    private const string InsertEventAndDeliveries = """
        WITH inserted AS (
            INSERT INTO events (jti, issuer, project, event_types, txn, source_stream_id, token, received_at, trace_parent)
            VALUES (@jti, @issuer, @project, @types, @txn, @source, @token, @at, @trace)
            ON CONFLICT (jti, issuer, project) DO NOTHING
            RETURNING position
        ), queued AS (
            INSERT INTO deliveries (stream_id, event_position, jti, token, created_at)
            SELECT d.stream_id, inserted.position, d.jti, d.token, @at
            FROM inserted, unnest(@streams, @delivery_jtis, @delivery_tokens) WITH ORDINALITY AS d (stream_id, jti, token, n)
            ORDER BY d.n
        ), subjects AS (
            INSERT INTO event_subjects (subject, event_position)
            SELECT DISTINCT s.subject, inserted.position FROM inserted, unnest(@subjects) AS s (subject)
        ), types AS (
            INSERT INTO event_type_index (event_type, event_position)
            SELECT DISTINCT t.event_type, inserted.position FROM inserted, unnest(@types) AS t (event_type)
        )
        SELECT position FROM inserted
        """;

    private const string FindEventPosition = "SELECT position FROM events WHERE jti = @jti AND issuer = @issuer AND project = @project";

    private const string EventColumns = "position, issuer, jti, project, event_types, token, received_at, txn, source_stream_id";

    /// <inheritdoc/>
    public async ValueTask<AppendResult> AppendAsync(NewEvent newEvent, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        ArgumentNullException.ThrowIfNull(deliveries);
        return await _writer.ExecuteAsync(context => AppendAsync(context, newEvent, deliveries), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredEvent?> FindAsync(string project, string issuer, string jti, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"SELECT {EventColumns} FROM events WHERE jti = @jti AND issuer = @issuer AND project = @project",
            p =>
            {
                p.Text("jti", jti);
                p.Text("issuer", issuer);
                p.Text("project", project);
            },
            ReadEvent,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<StoredEvent?> FindByJtiAsync(string? project, string jti, CancellationToken cancellationToken) =>
        await ReadOneAsync(
            $"""
            SELECT {EventColumns} FROM events WHERE jti = @jti AND (@project IS NULL OR project = @project)
            UNION ALL
            SELECT {EventColumns} FROM events WHERE position IN (SELECT event_position FROM deliveries WHERE jti = @jti) AND (@project IS NULL OR project = @project)
            LIMIT 1
            """,
            p =>
            {
                p.Text("jti", jti);
                p.Text("project", project);
            },
            ReadEvent,
            cancellationToken).ConfigureAwait(false);

    /// <summary>The admin's event search (<see cref="EventSearchSql"/>), served by the indexes of migration 0015.</summary>
    internal static string SearchEventsSql(EventQuery query) =>
        EventSearchSql.Build(query, EventColumns, '@', "@type = ANY (event_types)", "LEAST");

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<StoredEvent>> SearchAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await ReadListAsync(
            SearchEventsSql(query),
            p =>
            {
                p.BigInt("before", query.Before ?? long.MaxValue);
                p.Text("subject", query.Subject);
                p.Text("project", query.Project);
                p.Text("tenant_projects", query.Tenant is null ? null : TenantProjects.LikePattern(query.Tenant));
                p.Text("type", query.EventType);
                p.Text("txn", query.Txn);
                p.Text("source", query.SourceStreamId);
                p.Time("since", query.Since);
                p.Time("until", query.Until);
                p.Time("since_bound", EventSearchSql.SinceBound(query));
                p.Time("until_bound", EventSearchSql.UntilBound(query));
                p.Integer("limit", query.Limit);
            },
            ReadEvent,
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<AppendResult> AppendAsync(PostgresWriteContext context, NewEvent newEvent, IReadOnlyList<NewDelivery> deliveries)
    {
        await using (var insert = context.Command(InsertEventAndDeliveries))
        {
            insert.Parameters.Text("jti", newEvent.Jti);
            insert.Parameters.Text("issuer", newEvent.Issuer);
            insert.Parameters.Text("project", newEvent.Project);
            insert.Parameters.TextArray("types", newEvent.EventTypes);
            insert.Parameters.Text("txn", newEvent.Txn);
            insert.Parameters.Text("source", newEvent.SourceStreamId);
            insert.Parameters.Text("token", newEvent.Token);
            insert.Parameters.Time("at", newEvent.ReceivedAt);
            insert.Parameters.Text("trace", newEvent.TraceParent);
            insert.Parameters.TextArray("streams", deliveries.Select(d => d.StreamId));
            insert.Parameters.TextArray("delivery_jtis", deliveries.Select(d => d.Jti));
            insert.Parameters.TextArray("delivery_tokens", deliveries.Select(d => d.Token));
            insert.Parameters.TextArray("subjects", newEvent.SubjectKeys);
            if (await insert.ExecuteScalarAsync().ConfigureAwait(false) is long position)
            {
                return new AppendResult(position, IsDuplicate: false);
            }
        }

        await using var existing = context.Command(FindEventPosition);
        existing.Parameters.Text("jti", newEvent.Jti);
        existing.Parameters.Text("issuer", newEvent.Issuer);
        existing.Parameters.Text("project", newEvent.Project);
        return new AppendResult((long)(await existing.ExecuteScalarAsync().ConfigureAwait(false))!, IsDuplicate: true);
    }

    private static StoredEvent ReadEvent(NpgsqlDataReader reader) =>
        new(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetFieldValue<string[]>(4),
            reader.GetString(5),
            ReadTime(reader, 6),
            ReadTextOrNull(reader, 7),
            ReadTextOrNull(reader, 8));
}
