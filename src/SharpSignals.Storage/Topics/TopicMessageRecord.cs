namespace SharpSignals.Storage.Topics;

/// <summary>A kept topic message (<see cref="ITopicLog"/>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Id">Its id in the topic: one more than the message before it.</param>
/// <param name="SentAt">When it was kept, by the database's clock.</param>
/// <param name="Message">The message as broadcast.</param>
/// <param name="Frame">The signed frame subscribers get, made once by the node that took the broadcast.</param>
public sealed record TopicMessageRecord(string Topic, long Id, DateTimeOffset SentAt, string Message, string Frame);
