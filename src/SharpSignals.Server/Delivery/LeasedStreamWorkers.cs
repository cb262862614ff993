using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Delivery;

/// <summary>
/// Runs one worker per stream that wants one (an outbound push stream to deliver, an inbound poll
/// stream to poll) and whose lease this node holds (docs/ARCHITECTURE.md, "Cluster"): a slow or dead remote
/// only ever holds up its own stream, and each stream is worked by one node at a time, in order.
/// Every check it renews its leases (not on the embedded store, where they do not lapse), stops the
/// workers of leases it lost, and takes leases nobody holds up to its fair share of the streams, a
/// chunk per write (all of them on the embedded store, where this node is alone); a node that joins
/// gets its share as the others give up their excess one stream per check.
/// </summary>
internal abstract partial class LeasedStreamWorkers(
    StreamCatalog catalog,
    ILeaseStore cluster,
    ClusterNode node,
    ClusterMembership membership,
    IOptions<ClusterOptions> clusterOptions,
    TimeProvider time,
    ILogger logger) : BackgroundService
{
    /// <summary>How many leases one write asks for at most, so that taking 10,000 at start never holds the store for long.</summary>
    private const int AcquireChunk = 1000;

    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private CancellationToken _stopping;

    private TimeSpan LeaseDuration => TimeSpan.FromSeconds(clusterOptions.Value.LeaseSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        catalog.Changed += OnStreamChanged;

        // Leases are renewed three times per lease; streams nobody holds are looked for every check.
        var period = TimeSpan.FromSeconds(Math.Min(clusterOptions.Value.CheckSeconds, clusterOptions.Value.LeaseSeconds / 3));
        var nextCheck = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var due = time.GetUtcNow() >= nextCheck;
                if (due)
                {
                    nextCheck = time.GetUtcNow() + period;
                    await RenewAsync(stoppingToken);
                }

                await BalanceAsync(releaseExcess: due, stoppingToken);

                // Until a stream changes or a worker ends, or the next check is due.
                await _doorbell.Reader.ReadWithinAsync(nextCheck - time.GetUtcNow(), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: let the workers finish their current push, then give the leases back.
        }

        foreach (var running in _running.Values)
        {
            running.Cancel();
        }

        await Task.WhenAll(_running.Values.Select(r => r.Finished));
    }

    public override void Dispose()
    {
        catalog.Changed -= OnStreamChanged;
        foreach (var running in _running.Values)
        {
            running.Stop.Dispose();
        }

        base.Dispose();
    }

    /// <summary>Every stream, as this node knows them.</summary>
    protected StreamCatalog Catalog => catalog;

    /// <summary>The clock of the checks, for the workers too.</summary>
    protected TimeProvider Time => time;

    /// <summary>What the workers are for, in log messages: "push", "poll".</summary>
    protected abstract string WorkName { get; }

    /// <summary>Whether the stream wants a worker now.</summary>
    protected abstract bool Wants(StreamRoute? route);

    /// <summary>Runs the stream's worker until it is done or <paramref name="stop"/> (shutdown, lease lost or given back).</summary>
    protected abstract Task RunWorkerAsync(StreamLease lease, CancellationToken stop);

    /// <summary>The stream changed while its worker runs: by default the worker stops at once if the stream no longer wants it.</summary>
    protected virtual void OnChangedWhileRunning(string streamId, Action stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        if (!Wants(catalog.Find(streamId)))
        {
            stop();
        }
    }

    private void OnStreamChanged(string streamId)
    {
        if (_running.TryGetValue(streamId, out var running))
        {
            OnChangedWhileRunning(streamId, running.Cancel);
        }
        else if (Wants(catalog.Find(streamId)))
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    /// <summary>Renews every lease held; a lease taken over, or not renewed for a whole lease, stops its worker.</summary>
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        // The embedded store's leases do not lapse and only this node takes them (ILeaseStore's
        // remarks): nothing to renew, and confirming 10,000 tokens every check would be idle CPU that
        // grows with the streams. A lease taken again all the same is still refused by its fence.
        if (!cluster.IsShared)
        {
            return;
        }

        var held = _running.Values.ToList();
        if (held.Count == 0)
        {
            return;
        }

        IReadOnlySet<string> renewed;
        try
        {
            renewed = await cluster.RenewLeasesAsync(held.Select(r => r.Lease).ToList(), LeaseDuration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is away: the leases may lapse and go to other nodes, so stop working a
            // stream once its lease surely has (the fence would refuse this node's changes anyway).
            LogRenewFailed(logger, ex, WorkName, held.Count);
            foreach (var running in held.Where(r => time.GetUtcNow() - r.RenewedAt >= LeaseDuration))
            {
                running.Cancel();
            }

            return;
        }

        foreach (var running in held)
        {
            if (renewed.Contains(running.Lease.StreamId))
            {
                running.RenewedAt = time.GetUtcNow();
            }
            else if (!running.Cancelled)
            {
                LogLeaseLost(logger, WorkName, running.Lease.StreamId, running.Lease.Token);
                running.Cancel();
            }
        }
    }

    /// <summary>Takes the leases of deliverable streams nobody pushes, up to this node's fair share; gives one back when over it.</summary>
    private async Task BalanceAsync(bool releaseExcess, CancellationToken cancellationToken)
    {
        try
        {
            var deliverable = catalog.All.Where(Wants).Select(r => r.StreamId).ToList();
            var nodes = await membership.LiveNodesAsync(cancellationToken);
            var fairShare = (deliverable.Count + nodes - 1) / Math.Max(1, nodes);
            var held = _running.Count;
            if (held < fairShare)
            {
                // In random order, so that nodes looking at once do not all reach for the same streams;
                // a chunk at a time, each in one write, asking no more than the share still missing.
                var free = deliverable.Where(id => !_running.ContainsKey(id)).OrderBy(_ => Random.Shared.Next()).ToList();
                for (var next = 0; held < fairShare && next < free.Count;)
                {
                    var asked = free.GetRange(next, Math.Min(Math.Min(fairShare - held, AcquireChunk), free.Count - next));
                    next += asked.Count;
                    foreach (var lease in await cluster.TryAcquireLeasesAsync(asked, node.Id, LeaseDuration, cancellationToken))
                    {
                        Start(lease);
                        held++;
                    }
                }
            }
            else if (releaseExcess && held > fairShare && _running.Values.FirstOrDefault(r => !r.Cancelled) is { } excess)
            {
                LogGivingBack(logger, WorkName, excess.Lease.StreamId, held, fairShare);
                excess.Cancel();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBalanceFailed(logger, ex, WorkName);
        }
    }

    private void Start(StreamLease lease)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var running = new Running(lease, stop, time.GetUtcNow());
        _running[lease.StreamId] = running;
        node.CountLease(WorkName, 1);
        running.Finished = RunAsync();

        async Task RunAsync()
        {
            var failed = false;
            try
            {
                await RunWorkerAsync(lease, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped: shutting down, or the lease is lost or given back.
            }
            catch (StreamLeaseLostException)
            {
                LogLeaseLost(logger, WorkName, lease.StreamId, lease.Token);
            }
            catch (Exception ex)
            {
                LogWorkerFailed(logger, ex, WorkName, lease.StreamId);
                failed = true;
            }
            finally
            {
                await ReleaseAsync(running, restartNow: !failed);
            }
        }
    }

    /// <summary>
    /// After a worker ends: gives its lease back so that any node (this one too) may take the stream,
    /// at once when the stream changed, at the next check when the worker failed (not in a loop).
    /// </summary>
    private async Task ReleaseAsync(Running running, bool restartNow)
    {
        try
        {
            await cluster.ReleaseLeaseAsync(running.Lease, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // It lapses on its own.
            LogReleaseFailed(logger, ex, WorkName, running.Lease.StreamId);
        }

        if (_running.TryRemove(new KeyValuePair<string, Running>(running.Lease.StreamId, running)))
        {
            node.CountLease(WorkName, -1);
        }

        running.Stop.Dispose();
        if (restartNow && !_stopping.IsCancellationRequested)
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    private sealed class Running(StreamLease lease, CancellationTokenSource stop, DateTimeOffset renewedAt)
    {
        public StreamLease Lease { get; } = lease;

        public CancellationTokenSource Stop { get; } = stop;

        public Task Finished { get; set; } = Task.CompletedTask;

        public DateTimeOffset RenewedAt { get; set; } = renewedAt;

        public bool Cancelled { get; private set; }

        /// <summary>Stops the worker; harmless once it has ended and its token source is gone.</summary>
        public void Cancel()
        {
            Cancelled = true;
            try
            {
                Stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already ended.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Work} worker of stream {StreamId} failed")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string work, string streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: {Work} lease {Token} was taken over by another node; stopped")]
    private static partial void LogLeaseLost(ILogger logger, string work, string streamId, long token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew this node's {Count} {Work} leases")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string work, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for {Work} streams to take over")]
    private static partial void LogBalanceFailed(ILogger logger, Exception exception, string work);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: giving its {Work} lease back ({Held} held, fair share {FairShare})")]
    private static partial void LogGivingBack(ILogger logger, string work, string streamId, int held, int fairShare);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: could not release the {Work} lease; it lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string work, string streamId);
}
