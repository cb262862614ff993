using Microsoft.Extensions.Options;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Cluster;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Routing;

/// <summary>
/// Keeps what each node holds in memory (the stream catalog, the issuer's key ring) in step with
/// the other nodes' changes: a notice names what changed, and every few checks everything is read
/// again, so a lost notice only delays the change.
/// </summary>
internal sealed partial class ClusterCaches(
    ClusterBus bus,
    StreamCatalog catalog,
    IssuerKeyStore keys,
    IOptions<ClusterOptions> options,
    TimeProvider time,
    ILogger<ClusterCaches> logger) : BackgroundService
{
    public const string StreamKind = "stream";

    public const string KeysKind = "keys";

    /// <summary>How many periodic checks pass between two full reloads.</summary>
    private const int ChecksPerReload = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!bus.IsShared)
        {
            return;
        }

        bus.On(StreamKind, notice => _ = OnStreamsChangedAsync(notice, stoppingToken));
        bus.On(KeysKind, notice => _ = ReloadKeysAsync(stoppingToken));
        catalog.ChangedHere += OnStreamChangedHere;
        keys.Changed += OnKeysChangedHere;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckSeconds * ChecksPerReload), time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ReloadAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            catalog.ChangedHere -= OnStreamChangedHere;
            keys.Changed -= OnKeysChangedHere;
        }
    }

    private void OnStreamChangedHere(string streamId) => _ = bus.SendAsync(StreamKind, streamId, CancellationToken.None);

    private void OnKeysChangedHere() => _ = bus.SendAsync(KeysKind, string.Empty, CancellationToken.None);

    private async Task OnStreamsChangedAsync(ClusterNotice notice, CancellationToken cancellationToken)
    {
        try
        {
            if (notice.Kind == ClusterNotice.ResyncKind)
            {
                await ReloadAllAsync(cancellationToken);
                return;
            }

            foreach (var streamId in notice.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await catalog.ReloadAsync(streamId, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReloadFailed(logger, ex);
        }
    }

    private async Task ReloadKeysAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.ReloadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReloadFailed(logger, ex);
        }
    }

    private async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await catalog.ReloadAllAsync(cancellationToken);
            await keys.ReloadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be away for a moment; the next check tries again.
            LogReloadFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the streams or keys other nodes changed; trying again at the next check")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
