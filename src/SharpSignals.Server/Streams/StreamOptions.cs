using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Streams;

/// <summary>The <c>SharpSignals:Streams</c> section.</summary>
internal sealed record StreamOptions
{
    public const string Section = "SharpSignals:Streams";

    /// <summary>SSF 1.0 §7.1 <c>default_subjects</c>: <c>ALL</c> (a new stream gets every subject) or <c>NONE</c>.</summary>
    [AllowedValues("ALL", "NONE")]
    public string DefaultSubjects { get; init; } = "ALL";

    /// <summary>The least time between two verification requests of a stream; faster ones get 429.</summary>
    [Range(0, 86400)]
    public int MinVerificationIntervalSeconds { get; init; } = 15;

    /// <summary>
    /// SSF 1.0 §8.1.1 <c>inactivity_timeout</c>: a stream with no receiver activity for this long is
    /// paused, with a stream-updated event. Null (the default) never pauses streams for inactivity.
    /// </summary>
    [Range(60, 31536000)]
    public int? InactivityTimeoutSeconds { get; init; }

    /// <summary>How long a long poll waits for an event before it answers empty.</summary>
    [Range(1, 300)]
    public int PollWaitSeconds { get; init; } = 30;

    /// <summary>The most SETs one poll answer carries (also when <c>maxEvents</c> is absent).</summary>
    [Range(1, 10000)]
    public int MaxPollEvents { get; init; } = 1000;
}
