using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Cli.Events;

/// <summary>
/// Builds the body of <c>POST /events</c> and checks it with the token library first (the event
/// payload against its type, the subject, and the SET rules that join them), so that a bad event is
/// reported with every problem at once and nothing is sent.
/// </summary>
internal static class EventBuilder
{
    public static JsonObject Build(string type, JsonObject payload, JsonObject? subject, string? txn, long? timeOfEvent)
    {
        var uri = EventNames.Resolve(type);
        var errors = new List<string>();
        using var payloadDocument = JsonDocument.Parse(payload.ToJsonString());
        var read = EventCatalog.Read(uri, payloadDocument.RootElement);
        errors.AddRange(read.Errors);

        SubjectIdentifier? subjectIdentifier = null;
        if (subject is not null)
        {
            using var subjectDocument = JsonDocument.Parse(subject.ToJsonString());
            var subjectRead = SubjectIdentifier.Read(subjectDocument.RootElement);
            subjectIdentifier = subjectRead.Subject;
            errors.AddRange(subjectRead.Errors);
        }

        if (errors.Count == 0)
        {
            // The server sets iss, jti and iat; placeholders let the SET rules (sub_id required,
            // SCIM events need a scim subject, ...) be checked here.
            var set = new SecurityEventToken
            {
                Issuer = "urn:ssf:cli",
                Jti = "check",
                IssuedAt = DateTimeOffset.UnixEpoch,
                Subject = subjectIdentifier,
                Events = [read.Event!],
            };
            errors.AddRange(set.Validate());
        }

        if (errors.Count > 0)
        {
            throw CliException.Usage($"the {EventNames.Short(uri)} event is not valid: {string.Join("; ", errors.Distinct(StringComparer.Ordinal))}");
        }

        return new JsonObject
        {
            ["events"] = new JsonObject { [uri] = payload.DeepClone() },
            ["sub_id"] = subject?.DeepClone(),
            ["txn"] = txn,
            ["toe"] = timeOfEvent,
        };
    }

    /// <summary>The payload from <c>--data</c> (a JSON object) with <c>--field</c>s applied over it.</summary>
    public static JsonObject Payload(string? data, IEnumerable<string>? fields, JsonObject? defaults = null)
    {
        JsonObject payload;
        if (data is null)
        {
            payload = defaults?.DeepClone() as JsonObject ?? [];
        }
        else
        {
            try
            {
                payload = JsonNode.Parse(data) as JsonObject ?? throw CliException.Usage("--data must be a JSON object");
            }
            catch (JsonException ex)
            {
                throw CliException.Usage($"--data is not valid JSON: {ex.Message}");
            }
        }

        FieldInput.Apply(payload, fields);
        return payload;
    }
}
