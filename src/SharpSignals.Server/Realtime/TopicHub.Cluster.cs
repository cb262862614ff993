using System.Text;
using System.Text.Json;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Topics;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Topics across the nodes sharing one database. A broadcast gets its id from the database
/// (<see cref="ITopicLog"/>) and is signed once, by the node that took it; that node relays it to
/// its own subscribers and sends the other nodes a notice with the signed frame, or only the id
/// when the frame does not fit in a notice. Each node relays a topic's messages in id order: a
/// notice whose id is not the next one (a lost notice, a large message, two nodes broadcasting at
/// once) makes the node read the missing ones from the database first. Subscribers resume with
/// <c>since</c> from the database's window, so ids mean the same on every node.
/// </summary>
internal sealed partial class TopicHub
{
    /// <summary>The notice kind of a topic message.</summary>
    public const string NoticeKind = "topic";

    /// <summary>Kept in the database at least this long, even with a shorter retention, so that other nodes can read what did not fit in a notice.</summary>
    private static readonly TimeSpan MinimumKept = TimeSpan.FromMinutes(1);

    /// <summary>The database's topic messages when other nodes share the store; null on the embedded store.</summary>
    private ITopicLog? Shared { get; } = store.IsShared ? store as ITopicLog : null;

    /// <summary>The window subscribers resume within.</summary>
    private TopicRetention Retention => new(TimeSpan.FromSeconds(options.Value.TopicRetentionSeconds), options.Value.TopicRetentionMessages);

    /// <summary>What the database keeps: the window, and never less than other nodes need to catch up.</summary>
    private TopicRetention Kept => new(
        TimeSpan.FromSeconds(Math.Max(options.Value.TopicRetentionSeconds, MinimumKept.TotalSeconds)),
        Math.Max(options.Value.TopicRetentionMessages, 100));

    /// <summary>Another node's topic message (or a resync): relays what this node's subscribers have not had yet.</summary>
    public async Task OnNoticeAsync(ClusterNotice notice, CancellationToken cancellationToken)
    {
        if (notice.Kind == ClusterNotice.ResyncKind)
        {
            await CatchUpAsync(cancellationToken);
            return;
        }

        TopicNotice? read;
        try
        {
            read = JsonSerializer.Deserialize(notice.Body, RealtimeJsonContext.Default.TopicNotice);
        }
        catch (JsonException)
        {
            read = null;
        }

        if (read is null)
        {
            LogBadNotice(logger, notice.Sender);
            return;
        }

        var known = read.Frame is { } frame && JsonSerializer.Deserialize(frame, RealtimeJsonContext.Default.MessageFrame) is { } parsed
            ? new Retained(read.Id, time.GetUtcNow(), Encoding.UTF8.GetBytes(parsed.Message), Encoding.UTF8.GetBytes(frame))
            : null;
        await RelaySharedAsync(read.Topic, read.Id, known, cancellationToken);
    }

    /// <summary>
    /// Relays whatever the database holds past what this node relayed, for every topic with a
    /// subscriber here: after a lost listening connection, and periodically, so a lost notice
    /// delays a message rather than losing it.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (Shared is null)
        {
            return;
        }

        var watched = _topics.Where(t => HasSubscribers(t.Value)).Select(t => t.Key).ToList();
        if (watched.Count == 0)
        {
            return;
        }

        foreach (var (topic, lastId) in await Shared.LastTopicIdsAsync(watched, cancellationToken))
        {
            await RelaySharedAsync(topic, lastId, known: null, cancellationToken);
        }
    }

    /// <summary>Drops the database's topic messages past the window (topics that went quiet).</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        if (Shared is not null)
        {
            await Shared.PurgeTopicMessagesAsync(Kept, cancellationToken);
        }
    }

    private async Task<BroadcastResponse> PublishSharedAsync(string topicName, string message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);
        var kept = await Shared!.AppendTopicMessageAsync(topicName, message, id => Encoding.UTF8.GetString(Envelope(topicName, id, message, now)), Kept, cancellationToken);
        var retained = new Retained(kept.Id, now, Encoding.UTF8.GetBytes(message), Encoding.UTF8.GetBytes(kept.Frame));
        var reached = await RelaySharedAsync(topicName, kept.Id, retained, cancellationToken);
        await bus.SendAsync(NoticeKind, NoticeBody(kept), cancellationToken);
        return new BroadcastResponse(topicName, kept.Id, reached);
    }

    /// <summary>The notice of a message: with its signed frame when that fits in one notice, else only its id (the other nodes read it from the database).</summary>
    private static string NoticeBody(TopicMessageRecord message)
    {
        var whole = JsonSerializer.Serialize(new TopicNotice(message.Topic, message.Id, message.Frame), RealtimeJsonContext.Default.TopicNotice);

        // Room for the kind and the sender (a node id is at most 64 characters) and their separators.
        return Encoding.UTF8.GetByteCount(whole) <= ClusterNotice.MaxBytes - NoticeKind.Length - 64 - 2
            ? whole
            : JsonSerializer.Serialize(new TopicNotice(message.Topic, message.Id, null), RealtimeJsonContext.Default.TopicNotice);
    }

    /// <summary>
    /// Relays a topic's messages up to <paramref name="id"/> that this node has not relayed yet, in id
    /// order: <paramref name="known"/> when it is the next one, otherwise read from the database.
    /// Returns how many subscribers here the message <paramref name="id"/> reached.
    /// </summary>
    private async Task<int> RelaySharedAsync(string topicName, long id, Retained? known, CancellationToken cancellationToken)
    {
        // A topic nobody here subscribes to is not followed: a subscription reads where it stands.
        if (!_topics.TryGetValue(topicName, out var topic))
        {
            return 0;
        }

        await topic.Turn.WaitAsync(cancellationToken);
        try
        {
            if (id <= topic.LastId || !HasSubscribers(topic))
            {
                return 0;
            }

            IReadOnlyList<Retained> missing = known is not null && known.Id == topic.LastId + 1
                ? [known]
                : (await Shared!.ReadTopicMessagesAsync(topicName, topic.LastId, id, Kept, cancellationToken)).Select(ToRetained).ToList();
            var reached = 0;
            lock (topic)
            {
                foreach (var message in missing)
                {
                    reached = Relay(topic, message);
                }

                // A message gone from the database (past the window, or its broadcast failed) is skipped.
                topic.LastId = id;
            }

            return missing.Count > 0 && missing[^1].Id == id ? reached : 0;
        }
        finally
        {
            topic.Turn.Release();
        }
    }

    private async Task<long> SubscribeSharedAsync(string topicName, TopicSubscriber subscriber, long? since, CancellationToken cancellationToken)
    {
        SweepIfDue(time.GetUtcNow());
        var topic = _topics.GetOrAdd(topicName, static _ => new Topic());
        await topic.Turn.WaitAsync(cancellationToken);
        try
        {
            if (topic.Forgotten)
            {
                return await SubscribeSharedAsync(topicName, subscriber, since, cancellationToken);
            }

            // Followed by nobody here until now: start from where the database stands. Messages past
            // that come live, in order, whichever node took them.
            if (!HasSubscribers(topic))
            {
                var lastIds = await Shared!.LastTopicIdsAsync([topicName], cancellationToken);
                topic.LastId = lastIds.GetValueOrDefault(topicName);
            }

            if (since is { } after && after < topic.LastId)
            {
                foreach (var missed in await Shared!.ReadTopicMessagesAsync(topicName, after, topic.LastId, Retention, cancellationToken))
                {
                    var retained = ToRetained(missed);
                    if (!subscriber.Connection.TrySend(subscriber.Signed ? retained.Envelope : retained.Raw))
                    {
                        return topic.LastId;
                    }
                }
            }

            lock (topic)
            {
                Add(topic, subscriber);
                return topic.LastId;
            }
        }
        finally
        {
            topic.Turn.Release();
        }
    }

    private static bool HasSubscribers(Topic topic)
    {
        lock (topic)
        {
            return topic.Subscribers.Count > 0;
        }
    }

    private static Retained ToRetained(TopicMessageRecord message) =>
        new(message.Id, message.SentAt, Encoding.UTF8.GetBytes(message.Message), Encoding.UTF8.GetBytes(message.Frame));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A topic notice from node {Node} could not be read")]
    private static partial void LogBadNotice(ILogger logger, string node);
}
