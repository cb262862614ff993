using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// Reads every encrypted stream's <c>jwks_uri</c> again each <see cref="Every"/>, so that a receiver
/// that rotates its key gets new entries encrypted to the new one without asking (docs/API.md,
/// "Encrypted SETs"). A fetch that fails, or finds no usable key, changes nothing: the stored key
/// keeps encrypting, and no event waits or is lost. Entries already made keep their bytes.
/// </summary>
internal sealed partial class EncryptionKeyRefresh(
    IStreamStore store,
    StreamCodec codec,
    StreamCatalog catalog,
    StreamEncryptionKeys keys,
    TimeProvider time,
    ILogger<EncryptionKeyRefresh> logger) : BackgroundService
{
    /// <summary>How often a receiver's keys are read again.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAllAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(logger, ex);
            }
        }
    }

    private async Task RefreshAllAsync(CancellationToken cancellationToken)
    {
        foreach (var route in catalog.All.Where(r => r.IsOutbound && r.Configuration.Encryption?.JwksUri is not null).ToList())
        {
            var current = route.Configuration.Encryption!;
            if ((await keys.ResolveAsync(current, cancellationToken)).Failed(out var failure, out var fetched))
            {
                LogKeyKept(logger, route.StreamId, failure.Detail);
                continue;
            }

            if (SameKey(fetched!, current))
            {
                continue;
            }

            // Read again just before writing: a change the receiver made meanwhile is kept as it is.
            if (await store.GetStreamAsync(route.StreamId, cancellationToken) is not { } record
                || codec.Decode(record) is not { Encryption: { } stored } configuration
                || stored.JwksUri != current.JwksUri || stored.Algorithm != current.Algorithm
                || stored.ContentEncryption != current.ContentEncryption || !SameKey(stored, current))
            {
                continue;
            }

            await store.UpdateStreamAsync(record with { Configuration = codec.Encode(configuration with { Encryption = fetched }), UpdatedAt = time.GetUtcNow() }, cancellationToken);
            await catalog.RefreshAsync(route.StreamId, cancellationToken);
            LogKeyChanged(logger, route.StreamId, catalog.Find(route.StreamId)?.EncryptionKey?.Kid);
        }
    }

    private static bool SameKey(StreamEncryption a, StreamEncryption b) => a.JwksKey?.GetRawText() == b.JwksKey?.GetRawText();

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: the receiver's jwks_uri names a new key ({KeyId}); new entries are encrypted to it")]
    private static partial void LogKeyChanged(ILogger logger, string streamId, string? keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: the receiver's keys could not be read again ({Reason}); its stored key keeps encrypting")]
    private static partial void LogKeyKept(ILogger logger, string streamId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading receivers' encryption keys again failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
