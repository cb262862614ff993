namespace SharpSignals.Storage.Topics;

/// <summary>
/// The real-time topic messages the nodes of a cluster share (shared stores only): each message gets
/// the next id of its topic from the database, so ids mean the same on every node and a subscriber
/// may resume with <c>since</c> on whichever node it reconnects to. Messages are kept only for a
/// short window; times come from the database's clock, never a node's.
/// </summary>
/// <remarks>
/// The embedded store serves one node, which keeps its topics in memory, and does not implement this.
/// </remarks>
public interface ITopicLog
{
    /// <summary>
    /// Gives a message the next id of its topic and keeps it, in one transaction: while it runs, no
    /// other message of the topic gets an id, so a message with a greater id is never visible before
    /// one with a smaller id. Messages past <paramref name="retention"/> are dropped on the way.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The message as broadcast.</param>
    /// <param name="frame">The frame subscribers get, made from the id the message was given (it is signed over it).</param>
    /// <param name="retention">How long and how many of the topic's messages are kept.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The message as kept.</returns>
    ValueTask<TopicMessageRecord> AppendTopicMessageAsync(string topic, string message, Func<long, string> frame, TopicRetention retention, CancellationToken cancellationToken);

    /// <summary>A topic's kept messages with an id greater than <paramref name="after"/>, oldest first.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="after">Only messages after this id.</param>
    /// <param name="through">Only messages up to this id, when given.</param>
    /// <param name="retention">Messages older than its window, by the database's clock, are not returned.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages.</returns>
    ValueTask<IReadOnlyList<TopicMessageRecord>> ReadTopicMessagesAsync(string topic, long after, long? through, TopicRetention retention, CancellationToken cancellationToken);

    /// <summary>The id last given in each of the topics that has had a message (others are absent).</summary>
    /// <param name="topics">The topics.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Each topic's last id.</returns>
    ValueTask<IReadOnlyDictionary<string, long>> LastTopicIdsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken);

    /// <summary>Drops every topic's messages older than the retention window (topics that went quiet keep none).</summary>
    /// <param name="retention">The window.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many messages were dropped.</returns>
    ValueTask<int> PurgeTopicMessagesAsync(TopicRetention retention, CancellationToken cancellationToken);
}
