namespace SharpSignals.Server.Streams;

/// <summary>How events reach an outbound stream (docs/API.md).</summary>
internal static class RouteModes
{
    /// <summary>Re-signed by this server: its iss, a new jti, the stream's aud.</summary>
    public const string Republish = "republish";

    /// <summary>The original token, byte for byte.</summary>
    public const string Forward = "forward";
}
