using System.Text.Json.Serialization;

namespace SharpSignals.Cli.Servers;

/// <summary>The contents of <c>servers.json</c>: the known servers by name and the selected one. No secrets.</summary>
internal sealed record ServerList
{
    [JsonPropertyName("current")]
    public string? Current { get; init; }

    [JsonPropertyName("servers")]
    public Dictionary<string, ServerEntry> Servers { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One server profile: where it is.</summary>
internal sealed record ServerEntry([property: JsonPropertyName("url")] string Url);
