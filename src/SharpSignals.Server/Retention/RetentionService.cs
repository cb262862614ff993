using Microsoft.Extensions.Options;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Retention;

/// <summary>
/// Deletes, once an hour, what was delivered or given up on longer ago than the retention period,
/// and the events nothing refers to any more (DESIGN.md, "Keep and recover"). Pending entries are
/// never purged.
/// </summary>
internal sealed partial class RetentionService(IDeliveryStore deliveries, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                var (entries, events) = await deliveries.PurgeAsync(time.GetUtcNow().AddDays(-options.Value.Days), stoppingToken);
                LogPurged(logger, entries, events, options.Value.Days);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: removed {Entries} settled entries and {Events} events older than {Days} days")]
    private static partial void LogPurged(ILogger logger, int entries, int events, int days);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention purge failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
