using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Delivery.Push;

/// <summary>The <c>SharpSignals:Push</c> section: time-outs and the retry rules of docs/API.md, "Push (RFC 8935)".</summary>
internal sealed record PushOptions
{
    public const string Section = "SharpSignals:Push";

    /// <summary>How long one push may take before it counts as failed.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>The first back-off after a failure; it doubles with every further failure.</summary>
    [Range(0.01, 3600)]
    public double InitialBackoffSeconds { get; init; } = 1;

    /// <summary>The longest back-off between two attempts.</summary>
    [Range(1, 86400)]
    public double MaxBackoffSeconds { get; init; } = 1800;

    /// <summary>How long an entry is retried before it becomes a dead letter (about a day).</summary>
    [Range(1, 604800)]
    public double MaxRetrySeconds { get; init; } = 86400;

    /// <summary>401 and 403 answers in a row after which the stream is paused.</summary>
    [Range(1, 100)]
    public int MaxAuthFailures { get; init; } = 3;

    /// <summary>
    /// How many pushes of one stream may be in flight at once when it has a backlog: lanes split by
    /// subject, so SETs about one subject still arrive in order (<see cref="PushLanes"/>).
    /// </summary>
    [Range(1, 32)]
    public int Lanes { get; init; } = 4;

    /// <summary>
    /// The threads every push stream and lane runs on (<see cref="PushThreads"/>); by default one per
    /// core, at least two. Pushes are asynchronous, so a slow receiver holds no thread.
    /// </summary>
    [Range(1, 256)]
    public int? Threads { get; init; }

    /// <summary>How many pending entries a worker reads at once.</summary>
    [Range(1, 10000)]
    public int BatchSize { get; init; } = 128;

    /// <summary>How long a stream's pushes may fail (and wait to be retried) before a warning is logged (<see cref="FailingStreams"/>).</summary>
    [Range(1, 604800)]
    public int FailingWarningSeconds { get; init; } = 300;
}
