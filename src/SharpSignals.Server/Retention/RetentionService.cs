using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.Keys;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Retention;

/// <summary>
/// Deletes, once an hour, what was delivered or given up on longer ago than the retention period,
/// and the events nothing refers to any more (docs/ARCHITECTURE.md, "The path of one event", step 4). Pending entries are
/// never purged. Retired issuer keys stop being published once no SET they signed can still be
/// sent: a SET is pushed for up to <see cref="PushOptions.MaxRetrySeconds"/>, and kept (and so
/// replayable, with its original signature) for the retention period after that.
/// A sweep (<see cref="RetentionSweep"/>) walks the entries, then the events, a few hundred rows at a
/// time, each step a short transaction of its own followed by a rest, so intake goes on between the steps.
/// In a cluster one node sweeps for all: the one holding the turn, which it keeps for
/// <see cref="Turn"/> from each sweep, so that another node takes over once it is gone.
/// </summary>
internal sealed partial class RetentionService(
    IDeliveryStore deliveries,
    ILeaseStore cluster,
    ClusterNode node,
    IssuerKeyStore keys,
    IOptions<RetentionOptions> options,
    IOptions<PushOptions> push,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    public const string TaskName = "retention";

    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    /// <summary>Longer than the time between sweeps, so the node that sweeps keeps its turn while it lives.</summary>
    public static readonly TimeSpan Turn = Every * 1.5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                if (!await cluster.TryTakeTurnAsync(TaskName, node.Id, Turn, stoppingToken))
                {
                    LogAnotherNodeSweeps(logger);
                    continue;
                }

                var cutoff = time.GetUtcNow().AddDays(-options.Value.Days);
                var (entries, events) = await RetentionSweep.RunAsync(deliveries, cutoff, RetentionSweep.DefaultStepSize, stoppingToken);
                LogPurged(logger, entries, events, options.Value.Days);
                var keyCutoff = time.GetUtcNow().AddDays(-options.Value.Days).AddSeconds(-push.Value.MaxRetrySeconds);
                if (await keys.PruneRetiredAsync(keyCutoff, stoppingToken) is > 0 and var removed)
                {
                    LogKeysPruned(logger, removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: removed {Entries} settled entries and {Events} events older than {Days} days")]
    private static partial void LogPurged(ILogger logger, long entries, long events, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: stopped publishing {Count} retired issuer keys")]
    private static partial void LogKeysPruned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retention: another node of the cluster has the turn to sweep")]
    private static partial void LogAnotherNodeSweeps(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention purge failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
