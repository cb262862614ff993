namespace SharpSignals.Storage.Deliveries;

/// <summary>A delivery entry to queue for one outbound stream.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Jti">
/// The <c>jti</c> of the SET as this stream receives it: the event's own for a forwarded SET, a new
/// one for a re-published SET. Unique within the stream; receivers acknowledge by it.
/// </param>
/// <param name="Token">The SET for this stream, when already signed; null to sign it at first delivery.</param>
public sealed record NewDelivery(string StreamId, string Jti, string? Token = null);
