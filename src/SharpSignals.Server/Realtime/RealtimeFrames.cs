using System.Text.Json.Serialization;

namespace SharpSignals.Server.Realtime;

/// <summary>The frame types of <c>/ws</c> and SSE (docs/API.md, "Real time").</summary>
internal static class FrameTypes
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string Ack = "ack";
    public const string Set = "set";
    public const string Message = "message";
    public const string Subscribed = "subscribed";
    public const string Error = "error";
}

/// <summary>One SET of a stream, at its position.</summary>
internal sealed record SetFrame(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("set")] string Set)
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; init; } = FrameTypes.Set;
}

/// <summary>
/// One topic message, with its id in the topic and <c>sig</c>: a JWS by this server's issuer key
/// whose claims repeat the topic, id and message, so a subscriber can check it came through unchanged.
/// </summary>
internal sealed record MessageFrame(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("sig")] string Sig)
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; init; } = FrameTypes.Message;
}

/// <summary>The answer to a subscription: the topic or stream, and for a topic the id of its latest message.</summary>
internal sealed record SubscribedFrame(
    [property: JsonPropertyName("topic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Topic,
    [property: JsonPropertyName("stream_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StreamId,
    [property: JsonPropertyName("last_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? LastId)
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; init; } = FrameTypes.Subscribed;
}

/// <summary>A refused request.</summary>
internal sealed record ErrorFrame(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("stream_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StreamId = null,
    [property: JsonPropertyName("topic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Topic = null)
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; init; } = FrameTypes.Error;
}

/// <summary>
/// The answer to <c>POST /broadcast</c>: the message's id in the topic, the subscribers on this node
/// it reached, and the <c>jti</c> of the SET when the broadcast carried an event.
/// </summary>
internal sealed record BroadcastResponse(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("subscribers")] int Subscribers)
{
    [JsonPropertyName("jti")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Jti { get; init; }

    /// <summary>With <see cref="Jti"/>: the number of streams the event was routed to, as <c>POST /events</c> answers it.</summary>
    [JsonPropertyName("streams")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Streams { get; init; }
}

/// <summary>The claims of a topic message signature (<see cref="MessageFrame.Sig"/>).</summary>
internal sealed record MessageClaims(
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("message")] string Message);

/// <summary>
/// A topic message sent to the other nodes of a cluster (<c>TopicHub.Cluster.cs</c>): the signed
/// frame, or only the id when the frame does not fit in a notice.
/// </summary>
internal sealed record TopicNotice(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("frame"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Frame);

[JsonSerializable(typeof(MessageClaims))]
[JsonSerializable(typeof(TopicNotice))]
[JsonSerializable(typeof(SetFrame))]
[JsonSerializable(typeof(MessageFrame))]
[JsonSerializable(typeof(SubscribedFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(BroadcastResponse))]
internal sealed partial class RealtimeJsonContext : JsonSerializerContext;
