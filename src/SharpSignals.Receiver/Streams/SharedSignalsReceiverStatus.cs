namespace SharpSignals.Receiver.Streams;

/// <summary>Where the receiver stands with its transmitter: for health checks, diagnostics and tests.</summary>
public sealed class SharedSignalsReceiverStatus
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _verified = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The transmitter's <c>stream_id</c>, once the stream is created or found again.</summary>
    public string? StreamId { get; private set; }

    /// <summary>Whether the stream is set up and SETs are taken in.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Whether the stream was created on this start (false when an earlier one was reused).</summary>
    public bool WasCreated { get; private set; }

    /// <summary>When the verification event asked for on this start arrived with its <c>state</c> (SSF 1.0 §8.1.4).</summary>
    public DateTimeOffset? VerifiedAt { get; private set; }

    /// <summary>The stream's status as the transmitter last reported it (<c>enabled</c>, <c>paused</c>, <c>disabled</c>).</summary>
    public string? StreamStatus { get; private set; }

    /// <summary>Why the stream's status last changed, from a stream-updated event (SSF 1.0 §8.1.5).</summary>
    public string? StreamStatusReason { get; private set; }

    /// <summary>The last failure setting up, polling or handling, if the last attempt failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Waits until the verification event asked for on this start has arrived.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completed once the stream is verified.</returns>
    public Task WaitVerifiedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _verified.Task.WaitAsync(cancellationToken);
        }
    }

    internal void Ready(string streamId, bool created, string? status)
    {
        StreamId = streamId;
        WasCreated = created;
        StreamStatus = status;
        IsReady = true;
        LastError = null;
    }

    internal void Verified(DateTimeOffset at)
    {
        VerifiedAt = at;
        lock (_lock)
        {
            _verified.TrySetResult();
        }
    }

    internal void StatusChanged(string? status, string? reason)
    {
        StreamStatus = status;
        StreamStatusReason = reason;
    }

    internal void Failed(string error) => LastError = error;

    internal void Succeeded() => LastError = null;
}
