using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery;

/// <summary>Queues a stream's dead letters again and wakes its delivery, for the admin API and the operator console alike.</summary>
internal static class DeadLetterRetry
{
    /// <summary>Retries <paramref name="jtis"/> (null: all the stream's dead letters); returns how many were queued again.</summary>
    public static async Task<int> RetryAsync(IDeliveryStore deliveries, StreamSignals signals, string streamId, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken)
    {
        var count = await deliveries.RetryDeadLettersAsync(streamId, jtis, cancellationToken);

        // The push worker or a waiting long poll picks them up now rather than at its next wake-up.
        signals.Notify(streamId);
        return count;
    }
}
