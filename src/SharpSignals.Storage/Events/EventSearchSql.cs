using System.Text;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Storage.Events;

/// <summary>
/// The statement of the admin's event search (<see cref="IEventLog.SearchAsync"/>) for both stores,
/// with only the filters the query has, so that each equality can use its index (a
/// "<c>x IS NULL OR</c>" clause hides every index from the planner). A subject search walks
/// <c>event_subjects</c> backwards from the page's start, a type search <c>event_type_index</c> (a
/// CROSS JOIN, which SQLite reads in the order written, so that a project filter beside them does not
/// make its planner read the project's events instead), any
/// other the log or the index of its filter (project, txn, source stream); each ends in the position,
/// so there is no sort. Only a time window (since and until) with no such filter reads the index of
/// times and sorts what falls in the window.
/// </summary>
public static class EventSearchSql
{
    /// <summary>The statement, with the parameters <c>before</c>, <c>limit</c> and one per filter set (<c>subject</c>, <c>project</c>, <c>tenant_projects</c>, <c>type</c>, <c>txn</c>, <c>source</c>, <c>since</c>, <c>until</c>).</summary>
    /// <param name="query">The filters.</param>
    /// <param name="columns">The <c>events</c> columns to select.</param>
    /// <param name="prefix">How the database marks a named parameter: <c>$</c> or <c>@</c>.</param>
    /// <param name="typeMatch">The condition that the event has the type in the parameter <c>type</c>, in the database's terms.</param>
    /// <param name="eventsByTime">The <c>events</c> table as read for a search by a time window alone: by its index of times, where the planner must be told.</param>
    /// <returns>The SQL.</returns>
    public static string Build(EventQuery query, string columns, char prefix, string typeMatch, string eventsByTime)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder(512);
        var byKey = query.Subject is not null || (query.EventType is not null && query.Txn is null && query.SourceStreamId is null);
        if (query.Subject is not null)
        {
            sql.Append($"SELECT {columns} FROM event_subjects k CROSS JOIN events WHERE position = k.event_position AND k.subject = {prefix}subject AND k.event_position < {prefix}before");
        }
        else if (byKey)
        {
            sql.Append($"SELECT {columns} FROM event_type_index k CROSS JOIN events WHERE position = k.event_position AND k.event_type = {prefix}type AND k.event_position < {prefix}before");
        }
        else
        {
            // A window of time with nothing else: the events in it, from the index of times, sorted. Not for until
            // alone: sorting every event before it costs more than reading the log backwards to it (measured on a
            // million events, docs/BENCHMARKS.md).
            var byTime = query.Since is not null && query.Until is not null && query.Project is null && query.Tenant is null && query.Txn is null && query.SourceStreamId is null && query.EventType is null;
            sql.Append($"SELECT {columns} FROM {(byTime ? eventsByTime : "events")} WHERE position < {prefix}before");
        }

        sql.Append(query.Project is null ? "" : $" AND project = {prefix}project")
            .Append(query.Tenant is null ? "" : " AND " + TenantProjects.Condition(query.Tenant, prefix))
            .Append(query.EventType is null || (byKey && query.Subject is null) ? "" : $" AND {typeMatch}")
            .Append(query.Txn is null ? "" : $" AND txn = {prefix}txn")
            .Append(query.SourceStreamId is null ? "" : $" AND source_stream_id = {prefix}source")
            .Append(query.Since is null ? "" : $" AND received_at >= {prefix}since")
            .Append(query.Until is null ? "" : $" AND received_at < {prefix}until")
            .Append(byKey ? " ORDER BY k.event_position DESC" : " ORDER BY position DESC")
            .Append($" LIMIT {prefix}limit");
        return sql.ToString();
    }
}
