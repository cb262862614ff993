using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;

namespace SharpSignals.Cli.Receiving;

/// <summary>The SETs of an RFC 8936 poll answer (<c>{"sets": {jti: token}, "moreAvailable"}</c>), in the order given.</summary>
internal static class ReceivedSets
{
    public static IReadOnlyList<(string Jti, string Token)> Read(JsonNode? answer) =>
        answer?["sets"] is JsonObject sets
            ? [.. sets.Select(p => (p.Key, p.Value is JsonValue v && v.TryGetValue<string>(out var token) ? token : ""))]
            : [];

    /// <summary>One line per SET: when it was issued, its jti, its event types and its subject.</summary>
    public static string Line(string jti, string token)
    {
        var set = SetSummary.TryRead(token);
        return set is null
            ? $"{jti}  (not a readable SET)"
            : $"{set.IssuedAtText}  {jti}  {set.EventNamesText}  {set.SubjectText}";
    }

    public static JsonObject Json(string jti, string token)
    {
        var set = SetSummary.TryRead(token);
        return new JsonObject { ["jti"] = jti, ["claims"] = set?.Claims.DeepClone(), ["token"] = token };
    }

    public static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    public static string Count(int count) => count == 1 ? "1 event" : $"{count} events";

    public static string Describe(JsonNode? answer) => answer.Bool("moreAvailable") == true ? " (more available)" : "";
}
