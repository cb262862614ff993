using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// <c>POST /broadcast</c> as the OpenAPI document shows it: notiflux's body, and optionally the body
/// of <c>POST /events</c> to publish as a SET (docs/API.md). The handler reads it member by member.
/// </summary>
internal sealed record BroadcastBody(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("event")] JsonElement? Event = null);
