using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpSignals.Client;

/// <summary>
/// The members of an error answer this client reads: an RFC 9457 problem, an RFC 6749 §5.2 OAuth
/// error, or an RFC 8935 §2.3 / RFC 8936 <c>err</c> with its <c>description</c>.
/// </summary>
internal sealed record ErrorBody
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("status")]
    public JsonElement? Status { get; init; }

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("errors")]
    public JsonElement? Errors { get; init; }

    [JsonPropertyName("err")]
    public string? Err { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; init; }

    /// <summary>What an error body says; nothing when it is empty, not JSON or not an object of these members.</summary>
    public static ErrorSaid Read(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new ErrorSaid(false, null, null, null);
        }

        ErrorBody? body;
        try
        {
            body = JsonSerializer.Deserialize(text, ClientJsonContext.Default.ErrorBody);
        }
        catch (JsonException)
        {
            // Another JSON value than an object (or members of other types) is JSON all the same.
            return new ErrorSaid(LooksLikeJson(text), null, null, null);
        }

        if (body is null)
        {
            return new ErrorSaid(true, null, null, null);
        }

        var problem = body.Type is not null || body.Title is not null || body.Detail is not null
            ? new ProblemDetails
            {
                Type = NonEmpty(body.Type),
                Title = NonEmpty(body.Title),
                Status = body.Status is { ValueKind: JsonValueKind.Number } s && s.TryGetInt32(out var status) ? status : null,
                Detail = NonEmpty(body.Detail),
                Errors = body.Errors is { ValueKind: JsonValueKind.Array } e && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
                    ? [.. e.EnumerateArray().Select(x => x.GetString()!)]
                    : null,
            }
            : null;
        return new ErrorSaid(true, problem, NonEmpty(body.Error) ?? NonEmpty(body.Err), NonEmpty(body.ErrorDescription) ?? NonEmpty(body.Description));
    }

    /// <summary>"error: text", or either alone: the problem's detail (else the description, else its title) after the error code.</summary>
    public static string? Compose(ProblemDetails? problem, string? error, string? description)
    {
        var text = problem?.Detail ?? description ?? problem?.Title;
        return text is null ? error : error is null ? text : $"{error}: {text}";
    }

    private static bool LooksLikeJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}

/// <summary>What an error answer said; <see cref="IsJson"/> false when its body is text of another kind.</summary>
internal sealed record ErrorSaid(bool IsJson, ProblemDetails? Problem, string? Error, string? Description)
{
    public string? Said => ErrorBody.Compose(Problem, Error, Description);
}
