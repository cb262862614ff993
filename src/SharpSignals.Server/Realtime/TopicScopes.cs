namespace SharpSignals.Server.Realtime;

/// <summary>The <c>scope</c> values of notiflux topic tokens.</summary>
internal static class TopicScopes
{
    /// <summary>Receive a topic's messages (or a stream's SETs, for the topic named by its stream id).</summary>
    public const string Subscribe = "subscribe";

    /// <summary>Broadcast to a topic through <c>POST /broadcast</c>.</summary>
    public const string Broadcast = "broadcast";
}
