using System.Text.Json.Serialization;

namespace SharpSignals.Client;

/// <summary>An RFC 9457 problem details object, with the <c>errors</c> list a SharpSignals server adds for 400s.</summary>
public sealed record ProblemDetails
{
    /// <summary>A URI naming the problem type.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>A short summary of the problem type.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>The HTTP status, as the server gave it.</summary>
    [JsonPropertyName("status")]
    public int? Status { get; init; }

    /// <summary>What went wrong with this request.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>Every problem found in the request, when the server listed them.</summary>
    [JsonPropertyName("errors")]
    public IReadOnlyList<string>? Errors { get; init; }
}
