namespace SharpSignals.Receiver.Streams;

/// <summary>Where the receiver stands with its transmitter: for health checks, diagnostics and tests.</summary>
public sealed class SharedSignalsReceiverStatus
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _verified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _verificationExpected;
    private string? _setupProblem;
    private DateTimeOffset? _verificationRequestedAt;

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

    /// <summary>How many attempts to set up (or verify) the stream failed in a row; 0 once one succeeds.</summary>
    public int SetupFailures { get; private set; }

    /// <summary>Whether the last failed attempt was a refusal (a 4xx, an answer this receiver cannot use) rather than a passing failure.</summary>
    public bool SetupRefused { get; private set; }

    /// <summary>How long the receiver waits after the last failed attempt before the next one.</summary>
    public TimeSpan? SetupRetryDelay { get; private set; }

    /// <summary>When the next attempt to set up (or verify) the stream is due, while one is awaited.</summary>
    public DateTimeOffset? NextSetupAttemptAt { get; private set; }

    /// <summary>
    /// Whether the stream is set up and verified (or set up, when <c>VerifyOnStart</c> is off): SETs are known
    /// to reach this application. Until then the health check is unhealthy and, with
    /// <c>RefuseSignInWhileStreamDown</c>, sign-in is refused.
    /// </summary>
    public bool IsUp
    {
        get
        {
            lock (_lock)
            {
                return Up;
            }
        }
    }

    /// <summary>What is wrong with the stream, or that it is up: the health check's description.</summary>
    public string Description
    {
        get
        {
            lock (_lock)
            {
                if (Up)
                {
                    return VerifiedAt is { } at
                        ? $"Stream {StreamId} is set up and was verified at {at:u}."
                        : $"Stream {StreamId} is set up (no verification asked for).";
                }

                var retry = NextSetupAttemptAt is { } next ? $" (failed {SetupFailures} time(s) in a row; next attempt at {next:u})" : "";
                if (!IsReady)
                {
                    return _setupProblem is { } problem
                        ? $"The stream is not set up{(SetupRefused ? ", the transmitter refused" : "")}: {problem}{retry}"
                        : "The stream is being set up.";
                }

                return (_setupProblem, _verificationRequestedAt) switch
                {
                    ({ } failure, _) => $"Stream {StreamId} is set up but not verified{(SetupRefused ? ", the transmitter refused" : "")}: {failure}{retry}",
                    (null, { } asked) => $"Stream {StreamId} is set up; waiting for the verification event asked for at {asked:u}.",
                    _ => $"Stream {StreamId} is set up; asking for a verification event.",
                };
            }
        }
    }

    /// <summary>Read under the lock, so that a verification arriving meanwhile is seen whole.</summary>
    private bool Up => IsReady && (VerifiedAt is not null || !_verificationExpected);

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

    internal void Ready(string streamId, bool created, string? status, bool verificationExpected)
    {
        lock (_lock)
        {
            StreamId = streamId;
            WasCreated = created;
            StreamStatus = status;
            _verificationExpected = verificationExpected;
            IsReady = true;
            LastError = null;
            SetupSucceeded();
        }
    }

    internal void VerificationRequested(DateTimeOffset at)
    {
        lock (_lock)
        {
            _verificationRequestedAt = at;
            SetupSucceeded();
        }
    }

    internal void SetupFailed(string error, bool refused, TimeSpan delay, DateTimeOffset nextAttemptAt)
    {
        lock (_lock)
        {
            LastError = error;
            _setupProblem = error;
            SetupRefused = refused;
            SetupRetryDelay = delay;
            NextSetupAttemptAt = nextAttemptAt;
            SetupFailures++;
        }
    }

    internal void Verified(DateTimeOffset at)
    {
        lock (_lock)
        {
            VerifiedAt = at;
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

    private void SetupSucceeded()
    {
        _setupProblem = null;
        SetupRefused = false;
        SetupRetryDelay = null;
        NextSetupAttemptAt = null;
        SetupFailures = 0;
    }
}
