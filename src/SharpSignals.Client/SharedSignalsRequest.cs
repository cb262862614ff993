using System.Text.Json.Nodes;

namespace SharpSignals.Client;

/// <summary>One call of <see cref="SharedSignalsClient.SendAsync"/>: a method and a URL, absolute or relative to the issuer.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">The URL; a relative one resolves against the issuer.</param>
public sealed record SharedSignalsRequest(HttpMethod Method, string Url)
{
    /// <summary>A JSON body; null members of an object are left out.</summary>
    public JsonNode? Body { get; init; }

    /// <summary>A JSON body already written as UTF-8, used when <see cref="Body"/> is null.</summary>
    public byte[]? Utf8Body { get; init; }

    /// <summary>Sends no credential (discovery, keys, health).</summary>
    public bool Anonymous { get; init; }

    /// <summary>An <c>Authorization</c> header value for this call alone, never renewed.</summary>
    public string? Authorization { get; init; }

    /// <summary>How long this call may take, instead of the options' time-out.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>What the call does, for the message of a failure ("create the stream").</summary>
    public string? Action { get; init; }
}

/// <summary>A 2xx answer: its status and body.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body as text; empty when there was none.</param>
public sealed record SharedSignalsResponse(int Status, string Body)
{
    /// <summary>The body as JSON, or null when it is empty.</summary>
    /// <returns>The parsed body.</returns>
    /// <exception cref="System.Text.Json.JsonException">The body is not JSON.</exception>
    public JsonNode? Json() => string.IsNullOrWhiteSpace(Body) ? null : JsonNode.Parse(Body);
}
