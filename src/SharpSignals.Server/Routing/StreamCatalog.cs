using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Tenancy;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Every stream, in memory, for routing without a database read per event. Loaded at start;
/// refreshed by whoever changes a stream (stream management, delivery pausing a stream), and in a
/// cluster when another node did (<see cref="ClusterCaches"/>).
/// </summary>
internal sealed class StreamCatalog(IStreamStore store, StreamCodec codec, IOptions<StreamOptions> options, TenantRegistry tenants) : IHostedService
{
    /// <summary>Subjects read at start beyond which their rows' memory is given back at once.</summary>
    private const int ManySubjects = 100_000;

    private readonly ConcurrentDictionary<string, StreamRoute> _routes = new(StringComparer.Ordinal);

    /// <summary>
    /// Each project's streams, the array replaced whole when one of them changes, so that routing an
    /// event walks only its project's streams without a lock or a copy.
    /// </summary>
    private readonly ConcurrentDictionary<string, StreamRoute[]> _byProject = new(StringComparer.Ordinal);

    /// <summary>What each route was built from, so that reloading an unchanged stream changes nothing.</summary>
    private readonly ConcurrentDictionary<string, StreamRecord> _versions = new(StringComparer.Ordinal);

    private readonly Lock _indexing = new();

    /// <summary>Raised after a stream was added, changed or removed, with its id.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised after <see cref="RefreshAsync(string, CancellationToken)"/>: this node changed the stream.</summary>
    public event Action<string>? ChangedHere;

    public IEnumerable<StreamRoute> All => _routes.Values;

    public StreamRoute? Find(string streamId) => _routes.GetValueOrDefault(streamId);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A deleted tenant's streams were disabled in the store (docs/TENANTS.md): read them again, here and
        // on every node that hears of it, so that nothing more is routed to or delivered from them.
        tenants.OnChanged((_, token) => ReloadAllAsync(token));
        await ReloadAllAsync(cancellationToken);

        // Reading a million subjects leaves their rows and the arrays their indexes outgrew behind as
        // garbage the server GC would keep for a long while (docs/BENCHMARKS.md, "Subjects and fan-out
        // at scale"). Given back once, at start, before any event is routed.
        if (_routes.Values.Sum(r => (long)r.Subjects.Count) >= ManySubjects)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reads every stream again, dropping those that are gone (another node may have changed any of them).</summary>
    public async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        var streams = await store.ListStreamsAsync(null, null, cancellationToken);
        var listed = streams.Select(s => s.StreamId).ToHashSet(StringComparer.Ordinal);

        // The subjects come one row at a time, stream by stream, into each stream's loader (a new index,
        // or the check that the current one is unchanged): a million of them are never rows in memory at once.
        var loaders = new Dictionary<string, SubjectScope.Loader>(StringComparer.Ordinal);
        string? loading = null;
        SubjectScope.Loader? loader = null;
        await store.ListAllSubjectsAsync(
            (streamId, subject) =>
            {
                if (streamId != loading)
                {
                    // A stream created since the list above is read at its own refresh.
                    loading = streamId;
                    loader = !listed.Contains(streamId) ? null
                        : loaders.GetValueOrDefault(streamId) ?? (loaders[streamId] = new SubjectScope.Loader(Find(streamId)?.Subjects));
                }

                loader?.Add(subject);
            },
            cancellationToken);
        foreach (var stream in streams)
        {
            if (!loaders.TryGetValue(stream.StreamId, out var loaded))
            {
                Refresh(stream, []);
            }
            else if (loaded.Finish() is { } subjects && ReferenceEquals(loaded.Current, Find(stream.StreamId)?.Subjects))
            {
                Refresh(stream, subjects, subjectsChanged: !ReferenceEquals(subjects, loaded.Current));
            }
            else
            {
                // Changed since this node indexed it (a notice missed), or its index was replaced while
                // the rows were read: read alone.
                Refresh(stream, await store.ListSubjectsAsync(stream.StreamId, cancellationToken));
            }
        }

        foreach (var gone in _routes.Keys.Where(id => !listed.Contains(id)).ToList())
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
            Remove(streamId);
            Changed?.Invoke(streamId);
            return;
        }

        Refresh(stream, await store.ListSubjectsAsync(stream.StreamId, cancellationToken));
    }

    /// <summary>
    /// Records the receiver's change to one subject of a stream (SSF 1.0 §8.1.3): <paramref name="write"/>
    /// stores it (false: refused, nothing changes), then the stream's index takes it, without reading or
    /// rebuilding its other subjects. A stream's changes go one at a time, so the index and the store
    /// keep the same order. Follow with <see cref="SubjectsChangedAsync"/>.
    /// </summary>
    public async Task<bool> RecordSubjectAsync(string streamId, StreamSubject subject, Func<ValueTask<bool>> write, CancellationToken cancellationToken)
    {
        if (Find(streamId) is not { } route)
        {
            // Not routed here (yet): SubjectsChanged reads it whole.
            return await write();
        }

        await route.Subjects.Changes.WaitAsync(cancellationToken);
        try
        {
            if (!await write())
            {
                return false;
            }

            // A reload may have replaced the index meanwhile; the change goes into the one routing reads.
            Find(streamId)?.Subjects.Record(subject);
            return true;
        }
        finally
        {
            route.Subjects.Changes.Release();
        }
    }

    /// <summary>After <see cref="RecordSubjectAsync"/> (and the stream's record written as <paramref name="stream"/>): tells this node and the others.</summary>
    public async Task SubjectsChangedAsync(StreamRecord stream, CancellationToken cancellationToken)
    {
        if (Find(stream.StreamId) is { } route)
        {
            Refresh(stream, route.Subjects, subjectsChanged: true);
            ChangedHere?.Invoke(stream.StreamId);
            return;
        }

        await RefreshAsync(stream.StreamId, cancellationToken);
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
        if (!_byProject.TryGetValue(project, out var routes))
        {
            return matches;
        }

        // SSF 1.0 §8.1.3: without a matching added or removed subject, default_subjects decides: under
        // ALL every subject is in scope and adding one narrows nothing; under NONE only added ones are.
        var everySubject = options.Value.DefaultSubjects == "ALL";
        SubjectScope.EventLeaves? leaves = null;
        foreach (var route in routes)
        {
            if (!route.IsOutbound || route.Status == StreamStatuses.Disabled || route.StreamId == sourceStreamId
                || (origin is not null && route.OwnerClientId == origin) || !CarriesAny(route, set))
            {
                continue;
            }

            var inScope = everySubject;
            if (set.Subject is not null && route.Subjects.Count > 0)
            {
                // The event's subject is taken apart once, for all the streams that have subjects.
                leaves ??= SubjectScope.LeavesOf(set.Subject);
                inScope = route.Subjects.Decide(leaves, set.Subject) ?? everySubject;
            }

            if (inScope)
            {
                matches.Add(route);
            }
        }

        return matches;
    }

    private static bool CarriesAny(StreamRoute route, SecurityEventToken set)
    {
        foreach (var securityEvent in set.Events)
        {
            if (route.EventsDelivered.Contains(securityEvent.EventType))
            {
                return true;
            }
        }

        return false;
    }

    private void Refresh(StreamRecord stream, IReadOnlyList<StreamSubject> subjects)
    {
        // An unchanged list keeps its index: comparing costs one lookup per subject, and nothing is rebuilt.
        if (Find(stream.StreamId) is { } current && current.Subjects.Holds(subjects))
        {
            Refresh(stream, current.Subjects, subjectsChanged: false);
            return;
        }

        Refresh(stream, SubjectScope.From(subjects), subjectsChanged: true);
    }

    private void Refresh(StreamRecord stream, SubjectScope subjects, bool subjectsChanged)
    {
        if (!subjectsChanged && _versions.TryGetValue(stream.StreamId, out var loaded) && loaded == stream && _routes.ContainsKey(stream.StreamId))
        {
            // Unchanged (a periodic reload): nothing to tell anyone.
            return;
        }

        _versions[stream.StreamId] = stream;
        Put(new StreamRoute(codec.Decode(stream), stream.Status, stream.OwnerClientId, subjects)
        {
            PauseNoticePosition = stream.PauseNoticePosition,
        });
        Changed?.Invoke(stream.StreamId);
    }

    private void Put(StreamRoute route)
    {
        lock (_indexing)
        {
            if (_routes.TryGetValue(route.StreamId, out var old) && old.Project != route.Project)
            {
                Unlist(old);
            }

            _routes[route.StreamId] = route;
            var listed = _byProject.GetValueOrDefault(route.Project) ?? [];
            var at = Array.FindIndex(listed, r => r.StreamId == route.StreamId);
            var updated = at < 0 ? [.. listed, route] : listed.ToArray();
            if (at >= 0)
            {
                updated[at] = route;
            }

            _byProject[route.Project] = updated;
        }
    }

    private void Remove(string streamId)
    {
        lock (_indexing)
        {
            if (_routes.TryRemove(streamId, out var old))
            {
                Unlist(old);
            }

            _versions.TryRemove(streamId, out _);
        }
    }

    private void Unlist(StreamRoute route)
    {
        var remaining = (_byProject.GetValueOrDefault(route.Project) ?? []).Where(r => r.StreamId != route.StreamId).ToArray();
        if (remaining.Length == 0)
        {
            _byProject.TryRemove(route.Project, out _);
        }
        else
        {
            _byProject[route.Project] = remaining;
        }
    }
}
