using System.ComponentModel.DataAnnotations;

namespace SharpSignals.Server.Http;

/// <summary>
/// The <c>SharpSignals:Requests</c> section: how slowly and how much a client may send, applied to
/// Kestrel's limits so that a client trickling its headers or body cannot hold a connection open.
/// They bound what a client sends, never what the server sends: long polls, SSE and WebSockets
/// (whose request body ended, or which are upgraded) are not cut by them.
/// </summary>
internal sealed record RequestLimitsOptions
{
    public const string Section = "SharpSignals:Requests";

    /// <summary>The slowest a request body may arrive, averaged, once the grace period is over; a slower one is closed (408).</summary>
    [Range(1, 1_000_000)]
    public double MinBodyBytesPerSecond { get; init; } = 240;

    /// <summary>
    /// How long a request body may arrive slower than <see cref="MinBodyBytesPerSecond"/> before the
    /// connection is closed; more than Kestrel's one-second heartbeat, which checks the rate.
    /// </summary>
    [Range(2, 300)]
    public double MinBodyRateGraceSeconds { get; init; } = 5;

    /// <summary>How long a client may take to send a request's headers.</summary>
    [Range(1, 300)]
    public double HeadersTimeoutSeconds { get; init; } = 10;

    /// <summary>How long an idle keep-alive connection stays open between requests.</summary>
    [Range(1, 3600)]
    public double KeepAliveTimeoutSeconds { get; init; } = 60;

    /// <summary>
    /// The largest request body, in bytes, for any endpoint: Kestrel stops reading past it (413). The
    /// endpoints' own limits are lower (a JSON body 256 KiB, a SET <c>SharpSignals:Inbound:MaxSetBytes</c>)
    /// and answer first in their own format; this is the backstop for any other body.
    /// </summary>
    [Range(1024 * 1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; init; } = 1024 * 1024;
}
