using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Tokens.Events;

/// <summary>RFC 9967: an asynchronous SCIM request completed; <c>txn</c> links it to the request.</summary>
public sealed record ScimAsyncResponse : ScimEvent
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string EventType => EventTypes.Scim.AsyncResponse;

    /// <summary>The HTTP method of the request.</summary>
    [JsonPropertyName("method")]
    public string? Method { get; init; }

    /// <summary>The operation's <c>bulkId</c> in a bulk request.</summary>
    [JsonPropertyName("bulkId")]
    public string? BulkId { get; init; }

    /// <summary>The HTTP status the request completed with.</summary>
    [JsonPropertyName("status")]
    public JsonElement? Status { get; init; }

    /// <summary>The SCIM error object when the request failed.</summary>
    [JsonPropertyName("response")]
    public JsonElement? Response { get; init; }

    /// <inheritdoc/>
    protected override void CollectErrors(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Status is not { ValueKind: JsonValueKind.String or JsonValueKind.Number })
        {
            errors.Add("status is required and must be an HTTP status");
        }
    }
}
