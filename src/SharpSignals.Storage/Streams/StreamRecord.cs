namespace SharpSignals.Storage.Streams;

/// <summary>A stream as stored: indexed columns plus its configuration object.</summary>
/// <param name="StreamId">The stream's identifier (RFC 3986 unreserved characters).</param>
/// <param name="Project">The project whose events it carries.</param>
/// <param name="OwnerClientId">The client that created it; null for streams the admin created.</param>
/// <param name="Direction"><c>outbound</c> (this server transmits) or <c>inbound</c> (this server receives).</param>
/// <param name="Status"><c>enabled</c>, <c>paused</c> or <c>disabled</c>.</param>
/// <param name="Configuration">The stream configuration object as JSON, with secrets already encrypted.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record StreamRecord(
    string StreamId,
    string Project,
    string? OwnerClientId,
    string Direction,
    string Status,
    string Configuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Why the status was last changed, if a reason was given.</summary>
    public string? StatusReason { get; init; }

    /// <summary>The last receiver activity (SSF 1.0 §8.1.1: management calls, and polls for poll streams).</summary>
    public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary>When verification was last requested, for <c>min_verification_interval</c>.</summary>
    public DateTimeOffset? LastVerificationAt { get; init; }

    /// <summary>
    /// When the transmitter paused the stream on its own: the event-log position of the
    /// stream-updated SET that says so. Entries up to it are still delivered, so that the receiver
    /// hears of the pause before delivery stops (SSF 1.0 §8.1.5); later ones are held. Null once
    /// that notice has gone, and for any other status change.
    /// </summary>
    public long? PauseNoticePosition { get; init; }

    /// <summary>
    /// For an inbound poll stream, what went wrong with the last poll of its source; null after a poll
    /// that succeeded. Written only by <see cref="IStreamStore.SetSourceErrorAsync"/>: creating or
    /// updating a stream leaves it as it is.
    /// </summary>
    public string? SourceError { get; init; }
}
