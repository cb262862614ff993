using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Cluster;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Hands the other nodes' topic messages to the <see cref="TopicHub"/> one at a time, in the order
/// they came, and every <see cref="ClusterOptions.CheckSeconds"/> lets it catch up from the database,
/// so that a lost notice delays a message by at most that long. Nothing runs on the embedded store.
/// </summary>
internal sealed partial class TopicNotices(ClusterBus bus, TopicHub topics, IOptions<ClusterOptions> options, TimeProvider time, ILogger<TopicNotices> logger) : BackgroundService
{
    /// <summary>How many checks pass between two purges of the database's old topic messages.</summary>
    private const int ChecksPerPurge = 30;

    private readonly Channel<ClusterNotice> _notices = Channel.CreateUnbounded<ClusterNotice>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!bus.IsShared)
        {
            return;
        }

        bus.On(TopicHub.NoticeKind, notice => _notices.Writer.TryWrite(notice));
        var check = TimeSpan.FromSeconds(options.Value.CheckSeconds);
        var nextCheck = time.GetUtcNow() + check;
        var checks = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // A notice, or none when the periodic check is due first.
                var notice = await _notices.Reader.ReadWithinAsync(nextCheck - time.GetUtcNow(), time, stoppingToken);

                try
                {
                    if (notice is not null)
                    {
                        await topics.OnNoticeAsync(notice, stoppingToken);
                    }

                    // Due even while notices keep coming: a topic whose notice was lost may get no other.
                    if (time.GetUtcNow() >= nextCheck)
                    {
                        nextCheck = time.GetUtcNow() + check;
                        await topics.CatchUpAsync(stoppingToken);
                        if (++checks % ChecksPerPurge == 0)
                        {
                            await topics.PurgeAsync(stoppingToken);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be away for a moment; the next check catches up.
                    LogRelayFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not relay the topic messages of other nodes; catching up at the next check")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
