namespace SharpSignals.Storage.Deliveries;

/// <summary>Why an entry became a dead letter: an RFC 8935 error code (or a local reason) and a description.</summary>
/// <param name="Jti">The entry's <c>jti</c> on its stream.</param>
/// <param name="Error">The error code, such as <c>invalid_audience</c>.</param>
/// <param name="Description">The receiver's or the server's description.</param>
public sealed record DeliveryFailure(string Jti, string Error, string? Description);
