using System.Diagnostics.CodeAnalysis;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Receiver.Handlers;

/// <summary>
/// Acts on one kind of event from the catalog (<see cref="SessionRevoked"/>, <see cref="AccountDisabled"/>,
/// ...), or on every event with <see cref="SecurityEvent"/>. Each SET reaches a handler once per
/// <c>jti</c>; a handler that throws makes the SET come again (a push answered 500, a poll not
/// acknowledged), so handlers should be idempotent. SETs are facts, not commands (RFC 8417 §1): what
/// to do about them is the application's choice.
/// </summary>
/// <typeparam name="TEvent">The event record handled.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The name the library promises: it handles security events, it is not a .NET event delegate.")]
public interface ISecurityEventHandler<TEvent>
    where TEvent : SecurityEvent
{
    /// <summary>Handles one event.</summary>
    /// <param name="context">The event and the SET that carried it.</param>
    /// <param name="cancellationToken">Cancelled when the application stops.</param>
    /// <returns>A task completed once the event is handled.</returns>
    Task HandleAsync(SecurityEventContext<TEvent> context, CancellationToken cancellationToken);
}
