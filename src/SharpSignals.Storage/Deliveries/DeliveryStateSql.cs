namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// The <see cref="DeliveryState"/> numbers as SQL literals, the form the deliveries table's
/// <c>state</c> column holds them in, so that statements name a state rather than a number and
/// stay constant strings (a constant interpolated string takes only constant strings).
/// </summary>
public static class DeliveryStateSql
{
    /// <summary><see cref="DeliveryState.Pending"/>.</summary>
    public const string Pending = "0";

    /// <summary><see cref="DeliveryState.Delivered"/>.</summary>
    public const string Delivered = "1";

    /// <summary><see cref="DeliveryState.DeadLetter"/>.</summary>
    public const string DeadLetter = "2";
}
