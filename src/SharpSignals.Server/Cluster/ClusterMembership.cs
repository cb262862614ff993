using Microsoft.Extensions.Options;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Cluster;

/// <summary>
/// This node among the live nodes: one heartbeat per half check, however many lease holders ask
/// how many nodes share the streams, and the node leaves the list when the host stops (after the
/// workers, which are registered later and so stopped first).
/// </summary>
internal sealed partial class ClusterMembership(ILeaseStore store, ClusterNode node, IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterMembership> logger) : IHostedService
{
    private readonly Lock _gate = new();
    private Task<int>? _heartbeat;
    private DateTimeOffset _sentAt;

    /// <summary>How long a node counts as alive without another heartbeat: one lease.</summary>
    private TimeSpan Ttl => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>How many nodes are alive, this one included, from a fresh heartbeat or one sent within half a check.</summary>
    public Task<int> LiveNodesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var fresh = TimeSpan.FromSeconds(Math.Min(options.Value.CheckSeconds, options.Value.LeaseSeconds / 3) / 2);
            var now = time.GetUtcNow();
            if (_heartbeat is null || _heartbeat.IsFaulted || _heartbeat.IsCanceled || now - _sentAt >= fresh)
            {
                _sentAt = now;
                _heartbeat = store.HeartbeatAsync(node.Id, Ttl, cancellationToken).AsTask();
            }

            return _heartbeat;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!store.IsShared)
        {
            return;
        }

        try
        {
            await store.LeaveAsync(node.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The node's entry lapses on its own after one lease.
            LogLeaveFailed(logger, ex, node.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} could not leave the live nodes; its entry lapses on its own")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string nodeId);
}
