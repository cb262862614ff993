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
/// so there is no sort. A time filter (since, until) also narrows the positions walked: positions are
/// given in the order events are stored, which is the order they were received give or take the wait
/// for a commit, so one seek in the index of times finds a position past which no event can match
/// (<see cref="ReceiveOrderSlack"/>). Without it, <c>until</c> far back read the whole newer log
/// first (369 ms on a million events) and a <c>since</c> that few events match read the whole older log.
/// </summary>
public static class EventSearchSql
{
    /// <summary>
    /// How far the receive times of two events may be out of the order of their positions: a position is
    /// given when the writer stores the event, its receive time when the request came in, and no request
    /// waits a minute for its commit. The time bounds are widened by this much, so the walk reads at most a
    /// minute of events that do not match; a clock stepped back further than this could hide events near the step.
    /// </summary>
    public static readonly TimeSpan ReceiveOrderSlack = TimeSpan.FromMinutes(1);

    /// <summary>The value of the parameter <c>since_bound</c>: <see cref="EventQuery.Since"/> less the slack, or null.</summary>
    /// <param name="query">The filters.</param>
    /// <returns>The bound.</returns>
    public static DateTimeOffset? SinceBound(EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Since is not { } since ? null : since - DateTimeOffset.MinValue > ReceiveOrderSlack ? since - ReceiveOrderSlack : DateTimeOffset.MinValue;
    }

    /// <summary>The value of the parameter <c>until_bound</c>: <see cref="EventQuery.Until"/> plus the slack, or null.</summary>
    /// <param name="query">The filters.</param>
    /// <returns>The bound.</returns>
    public static DateTimeOffset? UntilBound(EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Until is not { } until ? null : DateTimeOffset.MaxValue - until > ReceiveOrderSlack ? until + ReceiveOrderSlack : DateTimeOffset.MaxValue;
    }

    /// <summary>The statement, with the parameters <c>before</c>, <c>limit</c> and one per filter set (<c>subject</c>, <c>project</c>, <c>tenant_projects</c>, <c>type</c>, <c>txn</c>, <c>source</c>, <c>since</c> and <c>since_bound</c>, <c>until</c> and <c>until_bound</c>).</summary>
    /// <param name="query">The filters.</param>
    /// <param name="columns">The <c>events</c> columns to select.</param>
    /// <param name="prefix">How the database marks a named parameter: <c>$</c> or <c>@</c>.</param>
    /// <param name="typeMatch">The condition that the event has the type in the parameter <c>type</c>, in the database's terms.</param>
    /// <param name="least">The database's function for the smaller of two values: <c>min</c> or <c>LEAST</c>.</param>
    /// <returns>The SQL.</returns>
    public static string Build(EventQuery query, string columns, char prefix, string typeMatch, string least)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder(768);
        var byKey = query.Subject is not null || (query.EventType is not null && query.Txn is null && query.SourceStreamId is null);
        var position = byKey ? "k.event_position" : "position";

        // Scalar subqueries, each one seek in the index of times, evaluated once.
        var before = query.Until is null
            ? $"{prefix}before"
            : $"{least}({prefix}before, coalesce((SELECT position FROM events WHERE received_at >= {prefix}until_bound ORDER BY received_at LIMIT 1), {prefix}before))";
        var after = query.Since is null
            ? ""
            : $" AND {position} > coalesce((SELECT position FROM events WHERE received_at < {prefix}since_bound ORDER BY received_at DESC LIMIT 1), 0)";
        if (query.Subject is not null)
        {
            sql.Append($"SELECT {columns} FROM event_subjects k CROSS JOIN events WHERE position = k.event_position AND k.subject = {prefix}subject AND k.event_position < {before}{after}");
        }
        else if (byKey)
        {
            sql.Append($"SELECT {columns} FROM event_type_index k CROSS JOIN events WHERE position = k.event_position AND k.event_type = {prefix}type AND k.event_position < {before}{after}");
        }
        else
        {
            sql.Append($"SELECT {columns} FROM events WHERE position < {before}{after}");
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
