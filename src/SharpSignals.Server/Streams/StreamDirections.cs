namespace SharpSignals.Server.Streams;

/// <summary>The <c>direction</c> extension of a stream (docs/API.md).</summary>
internal static class StreamDirections
{
    /// <summary>This server transmits to the receiver.</summary>
    public const string Outbound = "outbound";

    /// <summary>This server receives from a transmitter.</summary>
    public const string Inbound = "inbound";
}
