using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Client;

/// <summary>RFC 8936 §2.2: a poll request; members left null are not sent.</summary>
public sealed record PollRequest
{
    /// <summary>At most this many SETs; 0 acknowledges only (§2.4).</summary>
    [JsonPropertyName("maxEvents")]
    public int? MaxEvents { get; init; }

    /// <summary>Answer at once even when no SET is waiting, rather than long-polling.</summary>
    [JsonPropertyName("returnImmediately")]
    public bool? ReturnImmediately { get; init; }

    /// <summary>The <c>jti</c>s of SETs received and settled.</summary>
    [JsonPropertyName("ack")]
    public IReadOnlyCollection<string>? Ack { get; init; }

    /// <summary>SETs refused, by <c>jti</c>, with an RFC 8935 error code (§2.6).</summary>
    [JsonPropertyName("setErrs")]
    public IReadOnlyDictionary<string, PollSetError>? SetErrs { get; init; }
}

/// <summary>RFC 8936 §2.6 / RFC 8935 §2.3: why one SET was refused.</summary>
/// <param name="Err">The error code (<c>invalid_request</c>, <c>invalid_key</c>, ...).</param>
/// <param name="Description">Text for the transmitter's operator.</param>
public sealed record PollSetError(
    [property: JsonPropertyName("err")] string Err,
    [property: JsonPropertyName("description")] string Description);

/// <summary>RFC 8936 §2.3: the SETs of one answer, by <c>jti</c> in the order given, and whether more are waiting.</summary>
/// <param name="Sets">Each <c>jti</c> with its SET; a member whose value is not a string has a null SET.</param>
/// <param name="MoreAvailable">Whether the transmitter has more SETs waiting; false when it did not say.</param>
public sealed record PollResponse(IReadOnlyList<KeyValuePair<string, string?>> Sets, bool MoreAvailable)
{
    /// <summary>Reads <c>{"sets": {jti: SET, ...}, "moreAvailable": bool}</c>; null when the text is no such object.</summary>
    /// <param name="text">The answer's body.</param>
    /// <returns>The answer, or null.</returns>
    public static PollResponse? Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("sets", out var sets) || sets.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var list = new List<KeyValuePair<string, string?>>();
            foreach (var member in sets.EnumerateObject())
            {
                list.Add(new(member.Name, member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString() : null));
            }

            return new PollResponse(list, root.TryGetProperty("moreAvailable", out var more) && more.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
