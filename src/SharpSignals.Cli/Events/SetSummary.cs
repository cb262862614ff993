using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Events;

/// <summary>Reads a compact SET's header and claims for display, without verifying anything.</summary>
internal sealed record SetSummary(JsonObject Header, JsonObject Claims)
{
    public static SetSummary Read(string token)
    {
        var parts = token.Trim().Split('.');
        if (parts.Length == 5)
        {
            throw CliException.Usage("the token is encrypted (JWE); only signed SETs can be decoded here");
        }

        if (parts.Length != 3)
        {
            throw CliException.Usage($"the token is not a compact JWS: it has {parts.Length} parts, not 3");
        }

        return new SetSummary(Part(parts[0], "header"), Part(parts[1], "claims"));
    }

    /// <summary>Reads a SET, or null when it cannot be read (a poll answer should not fail on one odd entry).</summary>
    public static SetSummary? TryRead(string token)
    {
        try
        {
            return Read(token);
        }
        catch (CliException)
        {
            return null;
        }
    }

    public IReadOnlyList<string> EventTypes => Claims["events"] is JsonObject events ? [.. events.Select(e => e.Key)] : [];

    public string EventNamesText => string.Join(", ", EventTypes.Select(EventNames.Short));

    public string SubjectText => SubjectInput.Describe(Claims["sub_id"]);

    public string IssuedAtText => JsonRead.Time(Claims.Long("iat"));

    private static JsonObject Part(string encoded, string name)
    {
        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(encoded))) as JsonObject
                ?? throw CliException.Usage($"the token's {name} is not a JSON object");
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            throw CliException.Usage($"the token's {name} is not base64url-encoded JSON");
        }
    }
}
