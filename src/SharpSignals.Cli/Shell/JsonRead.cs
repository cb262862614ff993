using System.Globalization;
using System.Text.Json.Nodes;

namespace SharpSignals.Cli.Shell;

/// <summary>Reading members of the server's JSON answers without caring whether they are there.</summary>
internal static class JsonRead
{
    public static string? Str(this JsonNode? node, string name) =>
        node?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Long(this JsonNode? node, string name) =>
        node?[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    public static bool? Bool(this JsonNode? node, string name) =>
        node?[name] is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    /// <summary>A string or an array of strings (<c>aud</c> is either).</summary>
    public static IReadOnlyList<string> Strings(this JsonNode? node, string name) => node?[name] switch
    {
        JsonArray array => array.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList(),
        JsonValue value when value.TryGetValue<string>(out var single) => [single],
        _ => [],
    };

    public static IEnumerable<JsonNode> Items(this JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonNode>() : [];

    /// <summary>Seconds since the epoch as an ISO 8601 UTC time, or "" when absent.</summary>
    public static string Time(long? seconds) =>
        seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";

    /// <summary>"3m 20s", "2h 5m", "4d 1h": how long ago, roughly.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m {age.Seconds}s"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h {age.Minutes}m"
            : $"{(int)age.TotalDays}d {age.Hours}h";
    }
}
