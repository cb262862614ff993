using Microsoft.Extensions.Options;
using SharpSignals.Server.Telemetry;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// What one WebSocket connection holds: its topic and stream subscriptions, and the tokens they were
/// granted to, counted against <see cref="TokenLimits"/> (a connection the first time a token is used
/// here, and a subscription each). Every member takes one lock, so each change is whole.
/// </summary>
internal sealed class SessionSubscriptions(TokenLimits limits, IOptions<RealtimeOptions> options, ServerMetrics metrics)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TopicSubscription> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamSubscription> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokensInUse = new(StringComparer.Ordinal);
    private readonly ServerMetrics _metrics = metrics;

    /// <summary>Holds <paramref name="topic"/> with <paramref name="token"/>, in place of the token it was held with before; the limit reached when not admitted.</summary>
    public RealtimeError? AddTopic(string topic, string token, DateTimeOffset? expiresAt)
    {
        var key = TokenLimits.KeyOf(token);
        lock (_gate)
        {
            using var tally = new Tally(this);
            if (_topics.TryGetValue(topic, out var existing))
            {
                Release(existing.TokenKey);
                if (Admit(key) is { } replaced)
                {
                    _topics.Remove(topic);
                    return replaced;
                }
            }
            else if (Admit(key) is { } limit)
            {
                return limit;
            }

            _topics[topic] = new TopicSubscription(key, expiresAt);
            return null;
        }
    }

    public void RemoveTopic(string topic)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            if (_topics.TryGetValue(topic, out var subscription))
            {
                Release(subscription.TokenKey);
                _topics.Remove(topic);
            }
        }
    }

    public List<string> TopicNames()
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            return [.. _topics.Keys];
        }
    }

    public StreamSubscription? FindStream(string streamId)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            return _streams.GetValueOrDefault(streamId);
        }
    }

    public List<StreamSubscription> Streams()
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            return [.. _streams.Values];
        }
    }

    /// <summary>Counts a new stream subscription against its grant's counter key; the limit reached when not admitted.</summary>
    public RealtimeError? AdmitStream(string key)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            return Admit(key);
        }
    }

    public void AddStream(StreamSubscription subscription)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            _streams[subscription.Feed.StreamId] = subscription;
        }
    }

    /// <summary>A new token for a stream already read here renews the subscription; when it is not admitted the subscription is dropped (the caller stops it).</summary>
    public RealtimeError? RenewStream(StreamSubscription existing, string key, DateTimeOffset? expiresAt)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            Release(existing.TokenKey);
            if (Admit(key) is { } limit)
            {
                _streams.Remove(existing.Feed.StreamId);
                return limit;
            }

            existing.Renew(key, expiresAt);
            return null;
        }
    }

    /// <summary>Drops the stream's subscription; the one dropped, if there was one.</summary>
    public StreamSubscription? RemoveStream(string streamId)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            // Released while still held, as everywhere: the count of the token's subscriptions includes this one.
            if (_streams.TryGetValue(streamId, out var subscription))
            {
                Release(subscription.TokenKey);
                _streams.Remove(streamId);
            }

            return subscription;
        }
    }

    /// <summary>Drops <paramref name="subscription"/> if it is still the one for its stream (a newer one may have taken its place).</summary>
    public void RemoveStreamIfCurrent(StreamSubscription subscription)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            if (_streams.TryGetValue(subscription.Feed.StreamId, out var current) && ReferenceEquals(current, subscription))
            {
                Release(subscription.TokenKey);
                _streams.Remove(subscription.Feed.StreamId);
            }
        }
    }

    public bool AnyExpired(DateTimeOffset now)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            return _topics.Values.Any(t => t.ExpiresAt <= now) || _streams.Values.Any(s => s.ExpiresAt <= now);
        }
    }

    /// <summary>The connection ended: every count goes back, and <paramref name="leaveTopic"/> is called for each topic held.</summary>
    public void ReleaseAll(Action<string> leaveTopic)
    {
        lock (_gate)
        {
            using var tally = new Tally(this);
            foreach (var topic in _topics.Keys.ToList())
            {
                leaveTopic(topic);
            }

            foreach (var key in _topics.Values.Select(t => t.TokenKey).Concat(_streams.Values.Select(s => s.TokenKey)))
            {
                limits.RemoveSubscription(key);
            }

            foreach (var key in _tokensInUse)
            {
                limits.RemoveConnection(key);
            }

            _topics.Clear();
            _streams.Clear();
            _tokensInUse.Clear();
        }
    }

    /// <summary>Reports, when a change under <see cref="_gate"/> ends, how many topic and stream subscriptions it added or dropped.</summary>
    private readonly struct Tally(SessionSubscriptions subscriptions) : IDisposable
    {
        private readonly int _topics = subscriptions._topics.Count;
        private readonly int _streams = subscriptions._streams.Count;

        public void Dispose()
        {
            if (subscriptions._topics.Count != _topics)
            {
                subscriptions._metrics.RealtimeSubscriptions("topic", subscriptions._topics.Count - _topics);
            }

            if (subscriptions._streams.Count != _streams)
            {
                subscriptions._metrics.RealtimeSubscriptions("stream", subscriptions._streams.Count - _streams);
            }
        }
    }

    /// <summary>Counts a caller's use (by its counter key): a connection the first time this connection uses it, and a subscription. Under <see cref="_gate"/>.</summary>
    private RealtimeError? Admit(string key)
    {
        var newConnection = !_tokensInUse.Contains(key);
        if (_topics.Count + _streams.Count >= options.Value.MaxSubscriptionsPerConnection)
        {
            return new RealtimeError(RealtimeErrors.LimitExceeded, $"A connection may hold at most {options.Value.MaxSubscriptionsPerConnection} subscriptions.");
        }

        if (newConnection && !limits.TryAddConnection(key))
        {
            return new RealtimeError(RealtimeErrors.LimitExceeded, limits.ConnectionsReached);
        }

        if (!limits.TryAddSubscription(key))
        {
            if (newConnection)
            {
                limits.RemoveConnection(key);
            }

            return new RealtimeError(RealtimeErrors.LimitExceeded, $"This token or its client holds {options.Value.MaxSubscriptionsPerToken} subscriptions already, the most allowed ({RealtimeOptions.Section}:{nameof(RealtimeOptions.MaxSubscriptionsPerToken)}).");
        }

        _tokensInUse.Add(key);
        return null;
    }

    /// <summary>Gives back one subscription of a token; the connection's count goes once the token holds none here. Under <see cref="_gate"/>.</summary>
    private void Release(string key)
    {
        limits.RemoveSubscription(key);
        if (!HoldsKey(key, excludingOne: true) && _tokensInUse.Remove(key))
        {
            limits.RemoveConnection(key);
        }
    }

    private bool HoldsKey(string key, bool excludingOne = false)
    {
        var count = _topics.Values.Count(t => t.TokenKey == key) + _streams.Values.Count(s => s.TokenKey == key);
        return count > (excludingOne ? 1 : 0);
    }

    private sealed record TopicSubscription(string TokenKey, DateTimeOffset? ExpiresAt);
}

/// <summary>A stream read on a WebSocket connection, with its pump and the token it was granted to.</summary>
internal sealed class StreamSubscription(StreamFeed feed, string tokenKey, DateTimeOffset? expiresAt, CancellationToken connectionStopping)
{
    private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionStopping);

    public StreamFeed Feed => feed;

    public string TokenKey { get; private set; } = tokenKey;

    public DateTimeOffset? ExpiresAt { get; private set; } = expiresAt;

    public CancellationToken Stopping => _cancel.Token;

    public Task Pump { get; set; } = Task.CompletedTask;

    public void Renew(string key, DateTimeOffset? expires)
    {
        TokenKey = key;
        ExpiresAt = expires;
    }

    public void Cancel() => _cancel.Cancel();
}
