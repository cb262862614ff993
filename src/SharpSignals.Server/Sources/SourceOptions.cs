using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Sources;

/// <summary>The <c>SharpSignals:Inbound</c> section: limits on what sources send, and how their poll endpoints are polled.</summary>
internal sealed record SourceOptions
{
    public const string Section = "SharpSignals:Inbound";

    /// <summary>The largest SET accepted, in bytes; a larger push is refused with <c>invalid_request</c>.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxSetBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// How old a received SET may be, by its <c>iat</c>, in seconds; an older one is refused with
    /// <c>invalid_request</c>. Unset, it is the retention period (<c>SharpSignals:Retention:Days</c>, set
    /// by the Retention folder), so that a captured SET cannot be replayed once its <c>jti</c> is purged.
    /// </summary>
    [Range(60, 3650 * 86400)]
    public int? MaxSetAgeSeconds { get; set; }

    /// <summary>The <c>maxEvents</c> of each poll of a source (RFC 8936 §2.2).</summary>
    [Range(1, 10000)]
    public int PollMaxEvents { get; init; } = 100;

    /// <summary>
    /// How long a source may hold a long poll (RFC 8936 §2.1: agreed out of band); a poll that has no
    /// answer 15 s after that counts as failed.
    /// </summary>
    [Range(1, 3600)]
    public int PollWaitSeconds { get; init; } = 30;

    /// <summary>The first wait after a failed poll; it doubles with every further failure.</summary>
    [Range(0.01, 3600)]
    public double PollInitialBackoffSeconds { get; init; } = 1;

    /// <summary>The longest wait between two failed polls (also the cap on a source's <c>Retry-After</c>).</summary>
    [Range(1, 86400)]
    public double PollMaxBackoffSeconds { get; init; } = 300;
}
