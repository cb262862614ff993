using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Keys;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// notiflux topics on this node: who subscribes to what, and the messages of the last
/// <see cref="RealtimeOptions.TopicRetentionSeconds"/> so that a subscriber that reconnects with
/// <c>since</c> gets what it missed. Each message gets the next id of its topic and is signed once by
/// the issuer key (<see cref="MessageFrame"/>); subscribers through notiflux's text commands get the
/// message text exactly as notiflux sends it, subscribers through JSON frames get it signed.
/// </summary>
internal sealed class TopicHub(IOptions<RealtimeOptions> options, IssuerKeyStore keys, IssuerUrl issuer, TimeProvider time)
{
    /// <summary>The JOSE <c>typ</c> of a message signature.</summary>
    public const string SignatureType = "topic-message+jwt";

    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new();
    private (SetSigningKey Key, SigningCredentials Credentials)? _signer;

    /// <summary>Relays a message to a topic's subscribers and keeps it for the retention window.</summary>
    public BroadcastResponse Publish(string topicName, string message)
    {
        var topic = _topics.GetOrAdd(topicName, static _ => new Topic());
        lock (topic)
        {
            var id = ++topic.LastId;
            var now = time.GetUtcNow();
            var retained = new Retained(id, now, Encoding.UTF8.GetBytes(message), Envelope(topicName, id, message, now));
            topic.Messages.Enqueue(retained);
            Trim(topic, now);

            // Under the topic's lock: every subscriber gets the topic's messages in id order, and a
            // subscription made concurrently gets each message once, live or from the retained ones.
            var reached = 0;
            foreach (var subscriber in topic.Subscribers.ToList())
            {
                if (subscriber.Connection.TrySend(subscriber.Signed ? retained.Envelope : retained.Raw))
                {
                    reached++;
                }
                else
                {
                    topic.Subscribers.Remove(subscriber);
                }
            }

            return new BroadcastResponse(topicName, id, reached);
        }
    }

    /// <summary>
    /// Adds a subscriber; with <paramref name="since"/>, first sends the retained messages after that id.
    /// Returns the topic's latest id.
    /// </summary>
    public long Subscribe(string topicName, TopicSubscriber subscriber, long? since)
    {
        var topic = _topics.GetOrAdd(topicName, static _ => new Topic());
        lock (topic)
        {
            Trim(topic, time.GetUtcNow());
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

            topic.Subscribers.Remove(subscriber with { Signed = !subscriber.Signed });
            topic.Subscribers.Add(subscriber);
            return topic.LastId;
        }
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
        public long LastId { get; set; }

        public Queue<Retained> Messages { get; } = new();

        public HashSet<TopicSubscriber> Subscribers { get; } = [];
    }

    private sealed record Retained(long Id, DateTimeOffset At, byte[] Raw, byte[] Envelope);
}

/// <summary>A connection subscribed to a topic, with the signed envelope or notiflux's bare text.</summary>
internal sealed record TopicSubscriber(RealtimeConnection Connection, bool Signed);
