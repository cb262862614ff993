using System.Collections.Concurrent;
using System.Text;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Cluster;

/// <summary>
/// Notices between the nodes of a cluster (LISTEN/NOTIFY through <see cref="ILeaseStore"/>):
/// features send them by kind and handle the other nodes' notices of their kinds. Notices can be
/// lost, so every handler must also get <see cref="ClusterNotice.Resync"/> right: look at the store
/// again. On the embedded store there are no other nodes, and nothing is sent or heard.
/// </summary>
internal sealed partial class ClusterBus(ILeaseStore store, ClusterNode node, ILogger<ClusterBus> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Action<ClusterNotice>[]> _handlers = new(StringComparer.Ordinal);

    /// <summary>Whether other nodes may share the store.</summary>
    public bool IsShared => store.IsShared;

    /// <summary>Handles the other nodes' notices of a kind, and every <see cref="ClusterNotice.Resync"/>.</summary>
    public void On(string kind, Action<ClusterNotice> handler) =>
        _handlers.AddOrUpdate(kind, _ => [handler], (_, existing) => [.. existing, handler]);

    /// <summary>Sends a notice to the other nodes; a failure is logged, never thrown (the periodic checks cover a lost notice).</summary>
    public async Task SendAsync(string kind, string body, CancellationToken cancellationToken)
    {
        if (!store.IsShared)
        {
            return;
        }

        try
        {
            await store.NotifyAsync(new ClusterNotice(kind, node.Id, body), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSendFailed(logger, ex, kind);
        }
    }

    /// <summary>Sends one notice per group of items that fits in a notice, items one per line.</summary>
    public async Task SendLinesAsync(string kind, IEnumerable<string> items, CancellationToken cancellationToken)
    {
        var room = ClusterNotice.MaxBytes - Encoding.UTF8.GetByteCount(kind) - Encoding.UTF8.GetByteCount(node.Id) - 2;
        var body = new StringBuilder();
        var size = 0;
        foreach (var item in items)
        {
            var length = Encoding.UTF8.GetByteCount(item) + 1;
            if (size + length > room && body.Length > 0)
            {
                await SendAsync(kind, body.ToString(), cancellationToken);
                body.Clear();
                size = 0;
            }

            body.Append(item).Append('\n');
            size += length;
        }

        if (body.Length > 0)
        {
            await SendAsync(kind, body.ToString(), cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.IsShared)
        {
            return;
        }

        // Start from a resync: whatever was sent before this node listened is unknown to it.
        Dispatch(ClusterNotice.Resync);
        await foreach (var notice in store.ListenAsync(stoppingToken))
        {
            if (notice.Sender != node.Id)
            {
                Dispatch(notice);
            }
        }
    }

    private void Dispatch(ClusterNotice notice)
    {
        var handlers = notice.Kind == ClusterNotice.ResyncKind
            ? _handlers.Values.SelectMany(h => h)
            : _handlers.GetValueOrDefault(notice.Kind) ?? [];
        foreach (var handler in handlers)
        {
            try
            {
                handler(notice);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex, notice.Kind);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a {Kind} notice to the other nodes")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Kind} notice from another node failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string kind);
}
