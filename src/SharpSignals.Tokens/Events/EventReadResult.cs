namespace SharpSignals.Tokens.Events;

/// <summary>The outcome of reading one event payload: the event, or every problem found.</summary>
/// <param name="Event">The event when its payload is valid for its type.</param>
/// <param name="Errors">The problems, each naming its member; empty when <paramref name="Event"/> is set.</param>
public sealed record EventReadResult(SecurityEvent? Event, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the payload was read and is valid.</summary>
    public bool IsValid => Event is not null;
}
