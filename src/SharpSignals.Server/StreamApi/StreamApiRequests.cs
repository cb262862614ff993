using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Server.StreamApi;

// The request bodies of SSF 1.0 §8.1.2 to §8.1.4 as the OpenAPI document shows them; the handlers
// read the bodies member by member, so that every problem can be named at once.

/// <summary><c>POST /ssf/status</c>, SSF 1.0 §8.1.2.2.</summary>
internal sealed record StreamStatusRequest(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string? Reason = null);

/// <summary><c>POST /ssf/subjects/add</c> and <c>/remove</c>, SSF 1.0 §8.1.3; <c>subject</c> is an RFC 9493 subject identifier.</summary>
internal sealed record SubjectRequest(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("subject")] JsonElement Subject,
    [property: JsonPropertyName("verified")] bool? Verified = null);

/// <summary><c>POST /ssf/verify</c>, SSF 1.0 §8.1.4.2.</summary>
internal sealed record VerificationRequest(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("state")] string? State = null);
