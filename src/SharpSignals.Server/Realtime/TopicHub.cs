using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Keys;
using SharpSignals.Storage;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// notiflux topics on this node: who subscribes to what, and the messages of the last
/// <see cref="RealtimeOptions.TopicRetentionSeconds"/> so that a subscriber that reconnects with
/// <c>since</c> gets what it missed. Each message gets the next id of its topic and is signed once by
/// the issuer key (<see cref="MessageFrame"/>); subscribers through notiflux's text commands get the
/// message text exactly as notiflux sends it, subscribers through JSON frames get it signed.
/// A topic nobody follows is forgotten once its window has passed, so that topics used once (one per
/// user, say) do not pile up; ids start from the clock (<see cref="Topic"/>), so that they still
/// grow when a forgotten topic is used again, or after a restart, and <c>since</c> stays meaningful.
/// On a shared store the ids and the retained window live in the database instead
/// (<c>TopicHub.Cluster.cs</c>), so that every node relays the same messages with the same ids.
/// </summary>
internal sealed partial class TopicHub(
    IOptions<RealtimeOptions> options,
    IssuerKeyStore keys,
    IssuerUrl issuer,
    ISharpSignalsStore store,
    ClusterBus bus,
    TimeProvider time,
    ILogger<TopicHub> logger)
{
    /// <summary>The JOSE <c>typ</c> of a message signature.</summary>
    public const string SignatureType = "topic-message+jwt";

    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new();
    private long _nextSweepTicks;
    private (SetSigningKey Key, SigningCredentials Credentials)? _signer;

    /// <summary>Relays a message to a topic's subscribers (on every node) and keeps it for the retention window.</summary>
    public Task<BroadcastResponse> PublishAsync(string topicName, string message, CancellationToken cancellationToken) =>
        Shared is null ? Task.FromResult(PublishHere(topicName, message)) : PublishSharedAsync(topicName, message, cancellationToken);

    /// <summary>
    /// Adds a subscriber; with <paramref name="since"/>, first sends the retained messages after that id.
    /// Returns the topic's latest id.
    /// </summary>
    public Task<long> SubscribeAsync(string topicName, TopicSubscriber subscriber, long? since, CancellationToken cancellationToken) =>
        Shared is null ? Task.FromResult(SubscribeHere(topicName, subscriber, since)) : SubscribeSharedAsync(topicName, subscriber, since, cancellationToken);

    /// <summary>The topics this node holds: followed here, or with messages still in their window.</summary>
    public int TopicCount => _topics.Count;

    /// <summary>The topics this node holds, each with how many connections here subscribe to it (the console's Realtime page).</summary>
    public List<(string Topic, int Subscribers)> SubscriberCounts()
    {
        var counts = new List<(string, int)>(_topics.Count);
        foreach (var (name, topic) in _topics)
        {
            lock (topic)
            {
                counts.Add((name, topic.Subscribers.Count));
            }
        }

        return counts;
    }

    private BroadcastResponse PublishHere(string topicName, string message)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);
        var topic = Here(topicName, now);
        lock (topic)
        {
            if (topic.Forgotten)
            {
                return PublishHere(topicName, message);
            }

            var id = ++topic.LastId;
            var retained = new Retained(id, now, Encoding.UTF8.GetBytes(message), Envelope(topicName, id, message, now));
            topic.Messages.Enqueue(retained);
            Trim(topic, now);

            // Under the topic's lock: every subscriber gets the topic's messages in id order, and a
            // subscription made concurrently gets each message once, live or from the retained ones.
            return new BroadcastResponse(topicName, id, Relay(topic, retained));
        }
    }

    /// <summary>Sends a message to the topic's subscribers here; the caller holds the topic's lock. Returns how many it reached.</summary>
    private static int Relay(Topic topic, Retained message)
    {
        var reached = 0;
        foreach (var subscriber in topic.Subscribers.ToList())
        {
            if (subscriber.Connection.TrySend(subscriber.Signed ? message.Envelope : message.Raw))
            {
                reached++;
            }
            else
            {
                topic.Subscribers.Remove(subscriber);
            }
        }

        return reached;
    }

    private long SubscribeHere(string topicName, TopicSubscriber subscriber, long? since)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);
        var topic = Here(topicName, now);
        lock (topic)
        {
            if (topic.Forgotten)
            {
                return SubscribeHere(topicName, subscriber, since);
            }

            Trim(topic, now);
            if (since is { } after)
            {
                foreach (var missed in topic.Messages.Where(m => m.Id > after))
                {
                    if (!subscriber.Connection.TrySend(subscriber.Signed ? missed.Envelope : missed.Raw))
                    {
                        return topic.LastId;
                    }
                }
            }

            Add(topic, subscriber);
            return topic.LastId;
        }
    }

    /// <summary>Adds a subscriber, replacing the same connection's other form (text or signed); the caller holds the topic's lock.</summary>
    private static void Add(Topic topic, TopicSubscriber subscriber)
    {
        topic.Subscribers.Remove(subscriber with { Signed = !subscriber.Signed });
        topic.Subscribers.Add(subscriber);
    }

    public void Unsubscribe(string topicName, RealtimeConnection connection)
    {
        if (_topics.TryGetValue(topicName, out var topic))
        {
            lock (topic)
            {
                topic.Subscribers.RemoveWhere(s => ReferenceEquals(s.Connection, connection));
            }
        }
    }

    private byte[] Envelope(string topic, long id, string message, DateTimeOffset now)
    {
        var claims = JsonSerializer.Serialize(new MessageClaims(issuer.Value, now.ToUnixTimeSeconds(), topic, id, message), RealtimeJsonContext.Default.MessageClaims);
        var sig = _handler.CreateToken(claims, Credentials(), new Dictionary<string, object> { [JwtHeaderParameterNames.Typ] = SignatureType });
        return JsonSerializer.SerializeToUtf8Bytes(new MessageFrame(topic, id, message, sig), RealtimeJsonContext.Default.MessageFrame);
    }

    private SigningCredentials Credentials()
    {
        var active = keys.Ring.Active;
        if (_signer is not { } signer || !ReferenceEquals(signer.Key, active))
        {
            _signer = signer = (active, new SigningCredentials(active.SecurityKey, active.Algorithm));
        }

        return signer.Credentials;
    }

    /// <summary>The topic held here, or a new one whose ids start from the clock.</summary>
    private Topic Here(string topicName, DateTimeOffset now) =>
        _topics.GetOrAdd(topicName, static (_, now) => new Topic { LastId = Topic.FirstIdAt(now) }, now);

    /// <summary>
    /// Every half window, forgets the topics nobody here follows whose messages have all left the
    /// window (on a shared store none are kept here: those nobody here follows). A topic is marked as
    /// it goes, under its lock and its turn, so that a publish or subscription that had just found it
    /// starts again on a new one instead of using the forgotten one; a topic busy right now is left
    /// for the next sweep.
    /// </summary>
    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        var every = TimeSpan.FromSeconds(Math.Max(1, options.Value.TopicRetentionSeconds / 2.0));
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + every).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (name, topic) in _topics)
        {
            if (!topic.Turn.Wait(0))
            {
                continue;
            }

            try
            {
                lock (topic)
                {
                    Trim(topic, now);
                    if (topic.Subscribers.Count == 0 && topic.Messages.Count == 0)
                    {
                        topic.Forgotten = true;
                        _topics.TryRemove(new KeyValuePair<string, Topic>(name, topic));
                    }
                }
            }
            finally
            {
                topic.Turn.Release();
            }
        }
    }

    private void Trim(Topic topic, DateTimeOffset now)
    {
        var cutoff = now - TimeSpan.FromSeconds(options.Value.TopicRetentionSeconds);
        while (topic.Messages.TryPeek(out var oldest) && (oldest.At < cutoff || topic.Messages.Count > options.Value.TopicRetentionMessages))
        {
            topic.Messages.Dequeue();
        }
    }

    private sealed class Topic
    {
        /// <summary>
        /// The id before a new topic's first message: a thousand per millisecond of the clock, so
        /// that the ids of a topic forgotten (or of a node restarted) and used again keep growing.
        /// Below 2^53 for centuries, so exact in JavaScript.
        /// </summary>
        public static long FirstIdAt(DateTimeOffset now) => now.ToUnixTimeMilliseconds() * 1000;

        public long LastId { get; set; }

        /// <summary>Removed by the sweep: whoever finds it must look the topic up again.</summary>
        public bool Forgotten { get; set; }

        public Queue<Retained> Messages { get; } = new();

        public HashSet<TopicSubscriber> Subscribers { get; } = [];

        /// <summary>On a shared store: one relay or subscription of the topic at a time, since each may wait for the database.</summary>
        public SemaphoreSlim Turn { get; } = new(1, 1);
    }

    private sealed record Retained(long Id, DateTimeOffset At, byte[] Raw, byte[] Envelope);
}

/// <summary>A connection subscribed to a topic, with the signed envelope or notiflux's bare text.</summary>
internal sealed record TopicSubscriber(RealtimeConnection Connection, bool Signed);
