namespace SharpSignals.Server.Realtime;

/// <summary>The <c>transport</c> label of the real-time metrics.</summary>
internal static class RealtimeTransports
{
    public const string WebSocket = "websocket";
    public const string Sse = "sse";
}
