using System.Text.Json.Serialization;

namespace SharpSignals.Server.Admin;

// The request bodies of the administration endpoints as the OpenAPI document shows them; the
// handlers read the bodies member by member, so that every problem can be named at once.

/// <summary><c>POST /admin/streams/{id}/deadletters/retry</c> and <c>/discard</c>: the dead letters meant, or all.</summary>
internal sealed record DeadLetterSelection([property: JsonPropertyName("jtis")] string[]? Jtis = null);

/// <summary><c>POST /admin/streams/{id}/replay</c>: exactly one starting point.</summary>
internal sealed record ReplayRequest(
    [property: JsonPropertyName("from_time")] long? FromTime = null,
    [property: JsonPropertyName("from_jti")] string? FromJti = null,
    [property: JsonPropertyName("from_position")] long? FromPosition = null,
    [property: JsonPropertyName("dry_run")] bool? DryRun = null);

/// <summary><c>POST /admin/keys/rotate</c>.</summary>
internal sealed record KeyRotationRequest(
    [property: JsonPropertyName("algorithm")] string? Algorithm = null,
    [property: JsonPropertyName("now")] bool? Now = null);
