using System.Collections.Concurrent;
using System.Threading.Channels;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.Sources;

/// <summary>
/// What went wrong with the last poll of each inbound poll stream this node polls, kept in the
/// stream's record (<see cref="StreamRecord.SourceError"/>) so that <c>GET /admin/streams</c> shows it
/// on every node of a cluster; cleared by a poll that succeeds. The pollers only note what they saw;
/// one loop writes what changed, so a poll never waits for the store and the last word is stored last.
/// </summary>
internal sealed partial class SourcePollStatus(IStreamStore store, ILogger<SourcePollStatus> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    // What the pollers saw last (null: the last poll succeeded), each change with a version of its own;
    // and the version of each stream's that is in the store. A version, not the error, says what is
    // stored, so a change that comes in while the loop writes the one before is written next.
    private readonly ConcurrentDictionary<string, (string? Error, long Version)> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _stored = new(StringComparer.Ordinal);
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _versions;

    public void Failed(string streamId, string error) => Saw(streamId, error);

    public void Succeeded(string streamId) => Saw(streamId, null);

    /// <summary>Forgets what this node saw of a stream, so that the next poll's outcome is stored whatever it is.</summary>
    public void Forget(string streamId) => _seen.TryRemove(streamId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _changed.Reader.WaitToReadAsync(stoppingToken))
        {
            _changed.Reader.TryRead(out _);
            foreach (var (streamId, (error, version)) in _seen)
            {
                if (_stored.TryGetValue(streamId, out var stored) && stored == version)
                {
                    continue;
                }

                try
                {
                    await store.SetSourceErrorAsync(streamId, error, stoppingToken);
                    _stored[streamId] = version;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogNotStored(logger, ex, streamId);
                    _ = RetryLaterAsync(stoppingToken);
                }
            }
        }
    }

    /// <summary>
    /// One poller per stream calls this, so reading and replacing its entry do not race. A stream new
    /// to this node (or forgotten) gets a version even when nothing changed, so that what another node
    /// or an earlier run stored is replaced by what this node sees.
    /// </summary>
    private void Saw(string streamId, string? error)
    {
        if (_seen.TryGetValue(streamId, out var seen) && seen.Error == error)
        {
            return;
        }

        _seen[streamId] = (error, Interlocked.Increment(ref _versions));
        _changed.Writer.TryWrite(true);
    }

    private async Task RetryLaterAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(RetryAfterFailure, stoppingToken).ConfigureAwait(false);
        _changed.Writer.TryWrite(true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last poll error of inbound stream {StreamId} could not be stored; trying again shortly")]
    private static partial void LogNotStored(ILogger logger, Exception exception, string streamId);
}
