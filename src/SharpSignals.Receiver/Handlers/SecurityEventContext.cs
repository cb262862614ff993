using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.Handlers;

/// <summary>One validated event given to a handler.</summary>
/// <typeparam name="TEvent">The event record.</typeparam>
/// <param name="Event">The event.</param>
/// <param name="Set">The SET that carried it, validated.</param>
public sealed record SecurityEventContext<TEvent>(TEvent Event, SecurityEventToken Set)
    where TEvent : SecurityEvent
{
    /// <summary>The primary subject (<c>sub_id</c>).</summary>
    public SubjectIdentifier? Subject => Set.Subject;

    /// <summary>
    /// When the event happened: the CAEP <c>event_timestamp</c>, else the SET's <c>toe</c>, else its
    /// <c>iat</c> (RFC 8417 §2.2).
    /// </summary>
    public DateTimeOffset OccurredAt => Event is CaepEvent { EventTimestamp: { } seconds }
        ? DateTimeOffset.FromUnixTimeSeconds(seconds)
        : Set.TimeOfEvent ?? Set.IssuedAt;
}
