using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Tenancy;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Every stream, in memory, for routing without a database read per event. Loaded at start;
/// refreshed by whoever changes a stream (stream management, delivery pausing a stream), and in a
/// cluster when another node did (<see cref="ClusterCaches"/>).
/// </summary>
internal sealed class StreamCatalog(IStreamStore store, StreamCodec codec, IOptions<StreamOptions> options, TenantRegistry tenants) : IHostedService
{
    private readonly ConcurrentDictionary<string, StreamRoute> _routes = new(StringComparer.Ordinal);

    /// <summary>What each route was built from, so that reloading an unchanged stream changes nothing.</summary>
    private readonly ConcurrentDictionary<string, (StreamRecord Stream, string Subjects)> _versions = new(StringComparer.Ordinal);

    /// <summary>Raised after a stream was added, changed or removed, with its id.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised after <see cref="RefreshAsync(string, CancellationToken)"/>: this node changed the stream.</summary>
    public event Action<string>? ChangedHere;

    public IEnumerable<StreamRoute> All => _routes.Values;

    public StreamRoute? Find(string streamId) => _routes.GetValueOrDefault(streamId);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A deleted tenant's streams were disabled in the store (docs/TENANTS.md): read them again, here and
        // on every node that hears of it, so that nothing more is routed to or delivered from them.
        tenants.OnChanged((_, token) => ReloadAllAsync(token));
        return ReloadAllAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reads every stream again, dropping those that are gone (another node may have changed any of them).</summary>
    public async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        var streams = await store.ListStreamsAsync(null, null, cancellationToken);
        var subjects = await store.ListAllSubjectsAsync(cancellationToken);
        foreach (var stream in streams)
        {
            Refresh(stream, subjects.GetValueOrDefault(stream.StreamId) ?? []);
        }

        var kept = streams.Select(s => s.StreamId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _routes.Keys.Where(id => !kept.Contains(id)).ToList())
        {
            await ReloadAsync(gone, cancellationToken);
        }
    }

    /// <summary>Reads a stream again after this node changed it.</summary>
    public async Task RefreshAsync(string streamId, CancellationToken cancellationToken)
    {
        await ReloadAsync(streamId, cancellationToken);
        ChangedHere?.Invoke(streamId);
    }

    /// <summary>Reads a stream again (another node changed it).</summary>
    public async Task ReloadAsync(string streamId, CancellationToken cancellationToken)
    {
        var stream = await store.GetStreamAsync(streamId, cancellationToken);
        if (stream is null)
        {
            _routes.TryRemove(streamId, out _);
            _versions.TryRemove(streamId, out _);
            Changed?.Invoke(streamId);
            return;
        }

        await RefreshAsync(stream, cancellationToken);
    }

    /// <summary>
    /// The outbound streams an event goes to (docs/ARCHITECTURE.md, "The path of one event"): same project, not
    /// disabled, the event type in <c>events_delivered</c>, the subject in scope, and never back where
    /// it came from: neither the stream it came in on nor, unless that stream's source opts in with
    /// <c>echo</c>, any stream of the client that owns it (a node of a replicated project never gets
    /// its own events back).
    /// </summary>
    public List<StreamRoute> Match(SecurityEventToken set, string project, string? sourceStreamId)
    {
        var origin = sourceStreamId is not null && Find(sourceStreamId) is { Configuration.Source.Echo: false } source ? source.OwnerClientId : null;
        var matches = new List<StreamRoute>();
        foreach (var route in _routes.Values)
        {
            if (route.IsOutbound && route.Project == project && route.Status != StreamStatuses.Disabled && route.StreamId != sourceStreamId
                && (origin is null || route.OwnerClientId != origin)
                && set.Events.Any(e => route.EventsDelivered.Contains(e.EventType)) && SubjectInScope(route, set.Subject))
            {
                matches.Add(route);
            }
        }

        return matches;
    }

    private bool SubjectInScope(StreamRoute route, SubjectIdentifier? subject)
    {
        // SSF 1.0 §8.1.3: the receiver's latest add or remove of a subject that matches the event's
        // (the §3.3 matching rules) decides. Without one, default_subjects does: under ALL every
        // subject is in scope and adding one narrows nothing; under NONE only added ones are.
        if (subject is not null)
        {
            for (var i = route.Subjects.Count - 1; i >= 0; i--)
            {
                if (route.Subjects[i].Subject.Matches(subject))
                {
                    return route.Subjects[i].Included;
                }
            }
        }

        return options.Value.DefaultSubjects == "ALL";
    }

    private async Task RefreshAsync(StreamRecord stream, CancellationToken cancellationToken) =>
        Refresh(stream, await store.ListSubjectsAsync(stream.StreamId, cancellationToken));

    private void Refresh(StreamRecord stream, IReadOnlyList<StreamSubject> subjects)
    {
        var version = (stream, string.Join('\n', subjects.Select(s => (s.Included ? "+" : "-") + s.Subject)));
        if (_versions.TryGetValue(stream.StreamId, out var loaded) && loaded == version && _routes.ContainsKey(stream.StreamId))
        {
            // Unchanged (a periodic reload): nothing to tell anyone.
            return;
        }

        _versions[stream.StreamId] = version;
        _routes[stream.StreamId] = new StreamRoute(
            codec.Decode(stream),
            stream.Status,
            stream.OwnerClientId,
            subjects.Select(s => new RouteSubject(SubjectIdentifier.Parse(s.Subject), s.Included)).ToList())
        {
            PauseNoticePosition = stream.PauseNoticePosition,
        };
        Changed?.Invoke(stream.StreamId);
    }
}
