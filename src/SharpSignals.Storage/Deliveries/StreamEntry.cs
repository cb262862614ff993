namespace SharpSignals.Storage.Deliveries;

/// <summary>One entry of a stream as its page lists it: its position and where it stands, with its last attempts.</summary>
/// <param name="Id">The entry's position on the stream's queue (<see cref="DeliveryEntry.Id"/>).</param>
/// <param name="Delivery">Where it stands, with its attempt log.</param>
public sealed record StreamEntry(long Id, EventDelivery Delivery);
