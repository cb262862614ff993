namespace SharpSignals.Storage.Deliveries;

/// <summary>Where a delivery entry stands.</summary>
public enum DeliveryState
{
    /// <summary>Waiting to be delivered or acknowledged.</summary>
    Pending = 0,

    /// <summary>Delivered (push answered 2xx, or poll acknowledged).</summary>
    Delivered = 1,

    /// <summary>Given up on: the receiver refused it (RFC 8935 error) or retries ran out.</summary>
    DeadLetter = 2,
}
