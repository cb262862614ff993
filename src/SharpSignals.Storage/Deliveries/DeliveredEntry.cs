namespace SharpSignals.Storage.Deliveries;

/// <summary>An entry a push delivered, with the attempt that delivered it.</summary>
/// <param name="Jti">The entry's <c>jti</c> on its stream.</param>
/// <param name="Attempt">The push that the receiver answered with 2xx.</param>
public sealed record DeliveredEntry(string Jti, DeliveryAttempt Attempt);
