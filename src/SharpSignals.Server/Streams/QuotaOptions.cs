using System.ComponentModel.DataAnnotations;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Streams;

/// <summary>
/// The <c>SharpSignals:Quotas</c> section: how much one client may hold, so that one client (or one
/// leaked credential) cannot fill the store or hold the node's requests. The refusals are here too,
/// each naming its limit and the setting that raises it (docs/CONFIGURATION.md, "Quotas").
/// </summary>
internal sealed record QuotaOptions
{
    public const string Section = "SharpSignals:Quotas";

    /// <summary>Streams one OAuth client may own; counted in the store, so across a cluster. The admin's streams have no owner and no limit.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreamsPerClient { get; init; } = 100;

    /// <summary>Subjects one stream may record, added or removed; counted in the store, so across a cluster.</summary>
    [Range(1, 1_000_000)]
    public int MaxSubjectsPerStream { get; init; } = 10_000;

    /// <summary>Long polls (RFC 8936 §2.1, <c>returnImmediately</c> false) of one stream waiting at once on one node.</summary>
    [Range(1, 10_000)]
    public int MaxLongPollsPerStream { get; init; } = 4;

    /// <summary>SSF 1.0 §8.1.1.1 names 409 for a stream the transmitter will not add for this receiver; deleting one makes room.</summary>
    public Failure StreamsReached(string clientId) =>
        Failure.Conflict($"Client '{clientId}' owns {MaxStreamsPerClient} streams, the most one client may own ({Key(nameof(MaxStreamsPerClient))}); delete one first.");

    public Failure SubjectsReached(string streamId) =>
        Failure.Conflict($"Stream '{streamId}' records {MaxSubjectsPerStream} subjects (added or removed), the most one stream may record ({Key(nameof(MaxSubjectsPerStream))}).");

    /// <summary>429 with <c>Retry-After</c> (RFC 6585 §4): by then every long poll waiting now has answered.</summary>
    public Failure LongPollsReached(string streamId, TimeSpan retryAfter) =>
        Failure.TooManyRequests($"Stream '{streamId}' has {MaxLongPollsPerStream} long polls waiting on this node, the most allowed ({Key(nameof(MaxLongPollsPerStream))}); poll again when one has answered.") with { RetryAfter = retryAfter };

    private static string Key(string setting) => Section + ":" + setting;
}
