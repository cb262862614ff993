using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Streams;

/// <summary>
/// The stream file an i2scim node reads at start-up (<c>scim.signals.pub.config.file</c> /
/// <c>scim.signals.rcv.config.file</c>): where to push or poll, the Authorization header to send,
/// the issuer and its keys, and the audience as one comma-separated string (i2scim reads it so).
/// </summary>
internal sealed record I2ScimStreamFile(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("iss")] string Iss,
    [property: JsonPropertyName("aud")] string Aud,
    [property: JsonPropertyName("issJwksUrl")] string IssJwksUrl)
{
    /// <summary>
    /// Not read by i2scim, which takes its decryption key from <c>scim.signals.rcv.pem.*</c>: an
    /// encrypted outbound stream's <c>encryption</c> member as this server shows it (the node's public
    /// key or its <c>jwks_uri</c>, <c>alg</c>, <c>enc</c>), so that the file says which key the node
    /// must decrypt with, and an import creates the stream encrypted the same way.
    /// </summary>
    [JsonPropertyName("encryption")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Encryption { get; init; }

    /// <summary>What every stream file has: i2scim refuses one without <c>endpoint</c>, and goSignals writes all three.</summary>
    private static readonly string[] Required = ["endpoint", "iss", "aud"];

    /// <summary>
    /// The rest of what i2scim reads (<c>token</c>, <c>issJwksUrl</c>) and goSignals writes beside it
    /// (<c>alias</c>, <c>id</c>, <c>description</c>, and <c>connectAlias</c> when a stream is connected),
    /// and the <see cref="Encryption"/> this server adds.
    /// </summary>
    private static readonly string[] Optional = ["alias", "id", "description", "token", "issJwksUrl", "connectAlias", "encryption"];

    /// <summary>The audience values, split where i2scim splits them.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Audiences => Aud.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Reads a stream file, naming every unknown, missing and non-string member at once, so that a
    /// file is fixed in one go; nothing is sent to the server before it reads whole.
    /// </summary>
    /// <exception cref="CliException">The file is not an i2scim stream file (exit code 2).</exception>
    public static I2ScimStreamFile Read(string text, string name)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"{name} is not JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw CliException.Usage($"{name} is not an i2scim stream file: it holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        }

        var members = root.EnumerateObject().ToList();
        var problems = new List<string>();
        var unknown = members.Select(m => m.Name).Where(n => !Required.Contains(n, StringComparer.Ordinal) && !Optional.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add("unknown members: " + string.Join(", ", unknown));
        }

        var missing = Required.Where(n => !members.Any(m => m.Name == n)).ToList();
        if (missing.Count > 0)
        {
            problems.Add("missing members: " + string.Join(", ", missing));
        }

        var notText = members.Where(m => m.Value.ValueKind != JsonValueKind.String && m.Name != "encryption" && !unknown.Contains(m.Name)).Select(m => m.Name).ToList();
        if (notText.Count > 0)
        {
            problems.Add("members that are not strings: " + string.Join(", ", notText));
        }

        if (root.TryGetProperty("encryption", out var encryption) && encryption.ValueKind != JsonValueKind.Object)
        {
            problems.Add("encryption is not an object");
        }

        if (problems.Count > 0)
        {
            throw CliException.Usage($"{name} is not an i2scim stream file: {string.Join("; ", problems)} (members: {string.Join(", ", Required)}, and optionally {string.Join(", ", Optional)})");
        }

        string Member(string member) => root.TryGetProperty(member, out var value) ? value.GetString()! : "";
        return new I2ScimStreamFile(Member("alias"), Member("id"), Member("description"), Member("token"), Member("endpoint"), Member("iss"), Member("aud"), Member("issJwksUrl"))
        {
            Encryption = root.TryGetProperty("encryption", out var given) ? JsonNode.Parse(given.GetRawText())!.AsObject() : null,
        };
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(I2ScimStreamFile))]
internal sealed partial class StreamFileJsonContext : JsonSerializerContext;
