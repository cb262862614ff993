using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Events;

/// <summary>
/// <c>--field k=v</c>: sets a member of the event payload. Dotted keys make nested objects
/// (<c>reason_admin.en=text</c>); values that are JSON (numbers, true/false, objects, arrays, quoted
/// strings) are taken as JSON, anything else as a string.
/// </summary>
internal static class FieldInput
{
    public static void Apply(JsonObject payload, IEnumerable<string>? fields)
    {
        foreach (var field in fields ?? [])
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"--field takes NAME=VALUE, not '{field}'");
            }

            var path = field[..equals].Split('.');
            var target = payload;
            foreach (var part in path[..^1])
            {
                if (target[part] is not JsonObject child)
                {
                    child = [];
                    target[part] = child;
                }

                target = child;
            }

            target[path[^1]] = Value(field[(equals + 1)..]);
        }
    }

    private static JsonNode? Value(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && (trimmed[0] is '{' or '[' or '"' or '-' || char.IsDigit(trimmed[0]) || trimmed is "true" or "false" or "null"))
        {
            try
            {
                return JsonNode.Parse(trimmed);
            }
            catch (JsonException)
            {
                // Not JSON after all ("2024-01-01", "-x"): a string.
            }
        }

        return JsonValue.Create(text);
    }
}
