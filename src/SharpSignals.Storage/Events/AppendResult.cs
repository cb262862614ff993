namespace SharpSignals.Storage.Events;

/// <summary>The outcome of an append.</summary>
/// <param name="Position">The event's position: the new one, or the one already stored for a duplicate.</param>
/// <param name="IsDuplicate">
/// Whether an event with the same issuer and <c>jti</c> was already stored in the same project (another
/// project's copy is no duplicate: each project routes the SETs that reach it). A duplicate adds nothing,
/// not even delivery entries: the first copy was routed when it was appended (RFC 8935 §2: a
/// retried push is answered as if it were new, without a second copy).
/// </param>
public sealed record AppendResult(long Position, bool IsDuplicate);
