namespace SharpSignals.Tokens.Events;

/// <summary>The specification an event type comes from.</summary>
public enum EventFamily
{
    /// <summary>An event type this library does not know.</summary>
    Unknown,

    /// <summary>SSF 1.0 stream events.</summary>
    Ssf,

    /// <summary>CAEP 1.0.</summary>
    Caep,

    /// <summary>RISC 1.0.</summary>
    Risc,

    /// <summary>SCIM events (RFC 9967); several of them may describe one change (facets).</summary>
    Scim,
}
