using System.Text;

namespace SharpSignals.Storage.Events;

/// <summary>
/// The statement of the admin's event search (<see cref="IEventLog.SearchAsync"/>) for both stores:
/// only the filters the query has, so that each equality can use its index (a "<c>x IS NULL OR</c>"
/// clause hides every index from the planner). A subject search walks <c>event_subjects</c> backwards
/// from the page's start; any other reads the log, or the index of its filter, backwards. Each index
/// ends in the position, so there is no sort either way.
/// </summary>
public static class EventSearchSql
{
    /// <summary>The statement, with the parameters <c>before</c>, <c>limit</c> and one per filter set (<c>subject</c>, <c>project</c>, <c>type</c>, <c>txn</c>, <c>source</c>, <c>since</c>, <c>until</c>).</summary>
    /// <param name="query">The filters.</param>
    /// <param name="columns">The <c>events</c> columns to select.</param>
    /// <param name="prefix">How the database marks a named parameter: <c>$</c> or <c>@</c>.</param>
    /// <param name="typeMatch">The condition that the event has the type in the parameter <c>type</c>, in the database's terms.</param>
    /// <returns>The SQL.</returns>
    public static string Build(EventQuery query, string columns, char prefix, string typeMatch)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder(512);
        if (query.Subject is not null)
        {
            sql.Append($"SELECT {columns} FROM event_subjects s JOIN events ON position = s.event_position WHERE s.subject = {prefix}subject AND s.event_position < {prefix}before");
        }
        else
        {
            sql.Append($"SELECT {columns} FROM events WHERE position < {prefix}before");
        }

        sql.Append(query.Project is null ? "" : $" AND project = {prefix}project")
            .Append(query.EventType is null ? "" : $" AND {typeMatch}")
            .Append(query.Txn is null ? "" : $" AND txn = {prefix}txn")
            .Append(query.SourceStreamId is null ? "" : $" AND source_stream_id = {prefix}source")
            .Append(query.Since is null ? "" : $" AND received_at >= {prefix}since")
            .Append(query.Until is null ? "" : $" AND received_at < {prefix}until")
            .Append(query.Subject is null ? " ORDER BY position DESC" : " ORDER BY s.event_position DESC")
            .Append($" LIMIT {prefix}limit");
        return sql.ToString();
    }
}
