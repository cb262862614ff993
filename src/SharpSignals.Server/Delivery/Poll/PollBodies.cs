using System.Text.Json.Serialization;

namespace SharpSignals.Server.Delivery.Poll;

// RFC 8936 §2 bodies as the OpenAPI document shows them: the request is read member by member
// (PollRequest.Read), the answer written token by token (PollAnswer).

/// <summary>RFC 8936 §2.2 poll request.</summary>
internal sealed record PollRequestBody(
    [property: JsonPropertyName("maxEvents")] int? MaxEvents = null,
    [property: JsonPropertyName("returnImmediately")] bool? ReturnImmediately = null,
    [property: JsonPropertyName("ack")] string[]? Ack = null,
    [property: JsonPropertyName("setErrs")] Dictionary<string, SetError>? SetErrs = null);

/// <summary>RFC 8936 §2.4: why the receiver refused one SET.</summary>
internal sealed record SetError(
    [property: JsonPropertyName("err")] string Err,
    [property: JsonPropertyName("description")] string? Description = null);

/// <summary>RFC 8936 §2.3 poll answer: the SETs by <c>jti</c>.</summary>
internal sealed record PollResponseBody(
    [property: JsonPropertyName("sets")] Dictionary<string, string> Sets,
    [property: JsonPropertyName("moreAvailable")] bool? MoreAvailable = null);
