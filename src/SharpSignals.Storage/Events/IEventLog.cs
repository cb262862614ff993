using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Events;

/// <summary>
/// The durable event log. An event is appended together with its delivery entries in one
/// transaction (docs/ARCHITECTURE.md, "The path of one event"), so no event is ever stored but unrouted.
/// </summary>
public interface IEventLog
{
    /// <summary>
    /// Appends an event and one delivery entry per outbound stream that should carry it. The task
    /// completes only once the commit is on disk.
    /// </summary>
    /// <param name="newEvent">The event.</param>
    /// <param name="deliveries">Its delivery entries, in the order they should be queued.</param>
    /// <param name="cancellationToken">Cancels the request while it waits for the writer; once written it completes.</param>
    /// <returns>The position, and whether the event was a duplicate.</returns>
    ValueTask<AppendResult> AppendAsync(NewEvent newEvent, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Finds an event by what identifies it: its project, issuer and <c>jti</c>.</summary>
    /// <param name="project">The project it belongs to.</param>
    /// <param name="issuer">The SET's <c>iss</c>.</param>
    /// <param name="jti">The SET's <c>jti</c>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The event, or null.</returns>
    ValueTask<StoredEvent?> FindAsync(string project, string issuer, string jti, CancellationToken cancellationToken);

    /// <summary>
    /// Finds an event by its <c>jti</c> or by the <c>jti</c> of a SET delivered for it on some stream.
    /// The same SET may be stored once in each project it reached, so a caller that belongs to a
    /// project names it and never sees another project's copy.
    /// </summary>
    /// <param name="project">Only this project's events; null for any project (the admin).</param>
    /// <param name="jti">The <c>jti</c>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The event, or null.</returns>
    ValueTask<StoredEvent?> FindByJtiAsync(string? project, string jti, CancellationToken cancellationToken);

    /// <summary>The admin's event search: the events matching a query, newest first.</summary>
    /// <param name="query">The filters, the page's start and its size.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>Up to <see cref="EventQuery.Limit"/> events.</returns>
    ValueTask<IReadOnlyList<StoredEvent>> SearchAsync(EventQuery query, CancellationToken cancellationToken);
}
