namespace SharpSignals.Storage.Events;

/// <summary>
/// What the admin's event search asks for: events matching every filter that is set, newest first,
/// from before <see cref="Before"/>. A search reads the log backwards from there until it has
/// <see cref="Limit"/> events, so a filter that matches nothing recent reads far.
/// </summary>
public sealed record EventQuery
{
    /// <summary>Only this project's events (the stored name, <see cref="Tenants.TenantProjects"/>).</summary>
    public string? Project { get; init; }

    /// <summary>Only events of this tenant's projects; null for every tenant's.</summary>
    public string? Tenant { get; init; }

    /// <summary>Only events of this type URI.</summary>
    public string? EventType { get; init; }

    /// <summary>Only events with this <c>txn</c>.</summary>
    public string? Txn { get; init; }

    /// <summary>Only events that came in on this inbound stream.</summary>
    public string? SourceStreamId { get; init; }

    /// <summary>Only events whose <c>sub_id</c> has this search key (<see cref="EventSubjects"/>): a value such as <c>alice@example.com</c>, or <c>format:value</c>.</summary>
    public string? Subject { get; init; }

    /// <summary>Only events received at or after this.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only events received before this.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only events at positions below this: where the previous page ended.</summary>
    public long? Before { get; init; }

    /// <summary>How many at most.</summary>
    public int Limit { get; init; } = 50;
}
