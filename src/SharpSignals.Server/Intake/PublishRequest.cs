using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Server.Intake;

/// <summary>
/// <c>POST /events</c> as the OpenAPI document shows it (docs/API.md, "Publishing"): one event, keyed
/// by its type URI or short name. The handler reads the body member by member, so that every problem
/// can be named at once.
/// </summary>
internal sealed record PublishRequest(
    [property: JsonPropertyName("events")] Dictionary<string, JsonElement> Events,
    [property: JsonPropertyName("sub_id")] JsonElement SubId,
    [property: JsonPropertyName("txn")] string? Txn = null,
    [property: JsonPropertyName("toe")] long? Toe = null);
