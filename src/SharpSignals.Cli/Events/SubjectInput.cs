using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Cli.Events;

/// <summary>
/// Subject identifiers (RFC 9493) from the command line: <c>email:alice@example.com</c>,
/// <c>phone:+12065550100</c>, <c>opaque:ID</c>, <c>iss_sub:ISSUER|SUBJECT</c>, <c>scim:/Users/123</c>,
/// <c>account:acct:alice@example.com</c>, <c>uri:URI</c>, <c>did:...</c>, a bare e-mail address, or a JSON object.
/// Each is checked with the token library before anything is sent.
/// </summary>
internal static class SubjectInput
{
    public const string Help = "The subject: email:ADDRESS, phone:NUMBER, opaque:ID, iss_sub:ISSUER|SUBJECT, scim:/Users/ID, account:acct:..., uri:URI, did:..., or a JSON subject identifier.";

    public static JsonObject Parse(string text)
    {
        var subject = Shape(text.Trim());
        using var document = JsonDocument.Parse(subject.ToJsonString());
        var read = SubjectIdentifier.Read(document.RootElement, "subject");
        if (!read.IsValid)
        {
            throw CliException.Usage($"the subject '{text}' is not valid: {string.Join("; ", read.Errors)}");
        }

        return subject;
    }

    /// <summary>A one-line rendering of a <c>sub_id</c> for tables: <c>email:alice@example.com</c>.</summary>
    public static string Describe(JsonNode? subject)
    {
        if (subject is not JsonObject json)
        {
            return "";
        }

        var format = json.Str("format") ?? json.Str("subject_type") ?? "?";
        var values = json.Where(p => p.Key is not "format" and not "subject_type").Select(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString());
        return format + ":" + string.Join("|", values);
    }

    private static JsonObject Shape(string text)
    {
        if (text.StartsWith('{'))
        {
            try
            {
                return JsonNode.Parse(text) as JsonObject ?? throw CliException.Usage("the subject must be a JSON object");
            }
            catch (JsonException ex)
            {
                throw CliException.Usage($"the subject is not valid JSON: {ex.Message}");
            }
        }

        if (text.StartsWith("did:", StringComparison.Ordinal))
        {
            return new JsonObject { ["format"] = SubjectFormats.Did, ["url"] = text };
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return text.Contains('@', StringComparison.Ordinal)
                ? new JsonObject { ["format"] = SubjectFormats.Email, ["email"] = text }
                : throw CliException.Usage($"the subject '{text}' needs a format, e.g. email:{text} or opaque:{text}");
        }

        var value = text[(colon + 1)..];
        return text[..colon].ToLowerInvariant() switch
        {
            "email" => new JsonObject { ["format"] = SubjectFormats.Email, ["email"] = value },
            "phone" or "phone_number" => new JsonObject { ["format"] = SubjectFormats.PhoneNumber, ["phone_number"] = value },
            "opaque" or "id" => new JsonObject { ["format"] = SubjectFormats.Opaque, ["id"] = value },
            "account" => new JsonObject { ["format"] = SubjectFormats.Account, ["uri"] = value },
            "uri" => new JsonObject { ["format"] = SubjectFormats.Uri, ["uri"] = value },
            "scim" => new JsonObject { ["format"] = SubjectFormats.Scim, ["uri"] = value },
            "iss_sub" when value.Split('|') is [var iss, var sub] => new JsonObject { ["format"] = SubjectFormats.IssuerSubject, ["iss"] = iss, ["sub"] = sub },
            "iss_sub" => throw CliException.Usage("an iss_sub subject is written iss_sub:ISSUER|SUBJECT"),
            var format => throw CliException.Usage($"unknown subject format '{format}': {Help}"),
        };
    }
}
