using Microsoft.Extensions.Options;
using SharpSignals.Server.Streams;

namespace SharpSignals.Server.Delivery.Poll;

/// <summary>Long polls waiting per stream on this node, at most <see cref="QuotaOptions.MaxLongPollsPerStream"/>.</summary>
internal sealed class LongPolls(IOptions<QuotaOptions> quotas)
{
    private readonly ConcurrentCounts _waiting = new();

    /// <summary>A slot for one long poll of the stream, held until disposed; not entered when the stream has none free.</summary>
    public ConcurrentCounts.Lease TryEnter(string streamId) => _waiting.TryEnter(streamId, quotas.Value.MaxLongPollsPerStream);
}
