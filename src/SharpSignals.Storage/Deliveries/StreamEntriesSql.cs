namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// The statement both stores read a page of a stream's entries with
/// (<see cref="IDeliveryStore.ReadStreamEntriesAsync"/>): one range of the index on
/// <c>(stream_id, state, id)</c> per state, each ending in the ORDER BY column, merged. A page reads
/// at most <c>max</c> index entries per state and sorts no more than three times that, where "every
/// state by id" would sort the whole stream (a million entries), and needs no index of its own, so
/// queuing an entry costs nothing more.
/// </summary>
public static class StreamEntriesSql
{
    /// <summary>The statement, with parameters <c>stream</c>, <c>before</c>, <c>after</c> and <c>max</c>.</summary>
    /// <param name="state">Only this state; null for all.</param>
    /// <param name="newer">Read upwards from <c>after</c> (the newer page, which the caller turns round); otherwise downwards from <c>before</c>.</param>
    /// <param name="parameter">The parameter prefix: <c>$</c> (SQLite) or <c>@</c> (PostgreSQL).</param>
    /// <param name="attemptLog">The attempt log column as text.</param>
    /// <returns>The SQL: id, jti, state, attempts, last_error, created_at, completed_at, attempt log.</returns>
    public static string Build(DeliveryState? state, bool newer, char parameter, string attemptLog)
    {
        var order = newer ? "ASC" : "DESC";
        var states = state is { } only ? [only] : Enum.GetValues<DeliveryState>();
        var ranges = string.Join(
            " UNION ALL ",
            states.Select(s => $"SELECT * FROM (SELECT id FROM deliveries WHERE stream_id = {parameter}stream AND state = {(int)s} AND id < {parameter}before AND id > {parameter}after ORDER BY id {order} LIMIT {parameter}max) r{(int)s}"));
        return $"""
            SELECT d.id, d.jti, d.state, d.attempts, d.last_error, d.created_at, d.completed_at, {attemptLog}
            FROM ({ranges}) page JOIN deliveries d ON d.id = page.id
            ORDER BY d.id {order} LIMIT {parameter}max
            """;
    }
}
