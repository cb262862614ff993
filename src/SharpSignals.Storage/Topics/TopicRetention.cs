namespace SharpSignals.Storage.Topics;

/// <summary>How long, and how many of each topic's, messages are kept for subscribers that resume.</summary>
/// <param name="MaxAge">Older messages are gone.</param>
/// <param name="MaxMessages">Only a topic's newest this many are kept.</param>
public sealed record TopicRetention(TimeSpan MaxAge, int MaxMessages);
