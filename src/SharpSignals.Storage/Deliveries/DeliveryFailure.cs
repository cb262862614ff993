namespace SharpSignals.Storage.Deliveries;

/// <summary>Why an entry became a dead letter: an RFC 8935 error code (or a local reason) and a description.</summary>
/// <param name="Jti">The entry's <c>jti</c> on its stream.</param>
/// <param name="Error">The error code, such as <c>invalid_audience</c>.</param>
/// <param name="Description">The receiver's or the server's description.</param>
/// <param name="Attempt">
/// The delivery attempt that ended in this failure (a refused or last push, a poll <c>setErrs</c>
/// report), counted and kept with the entry; null when no attempt was made (the server gave it up).
/// </param>
public sealed record DeliveryFailure(string Jti, string Error, string? Description, DeliveryAttempt? Attempt = null);
