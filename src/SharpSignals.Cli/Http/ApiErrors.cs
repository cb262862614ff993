using System.Net;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Http;

/// <summary>Turns an error answer (RFC 9457 problem, RFC 6749 error, RFC 8936 err) into one line and an exit code.</summary>
internal static class ApiErrors
{
    public static CliException From(HttpStatusCode status, string body, string profile, string method, string path)
    {
        var detail = Detail(body);
        var code = (int)status;
        var suffix = detail is null ? "" : ": " + detail;
        return status switch
        {
            HttpStatusCode.Unauthorized => new CliException(
                $"the server refused the credentials of profile '{profile}' (401{suffix}); log in again with `ssf login`", ExitCodes.Unauthorized),
            HttpStatusCode.Forbidden => new CliException($"forbidden (403){suffix}", ExitCodes.Failure),
            HttpStatusCode.NotFound => new CliException($"not found (404){(detail is null ? $": {method} {path}" : suffix)}", ExitCodes.Failure),
            HttpStatusCode.BadRequest => new CliException($"the server rejected the request (400){suffix}", ExitCodes.Failure),
            HttpStatusCode.TooManyRequests => new CliException($"too many requests (429){suffix}", ExitCodes.Failure),
            _ when code >= 500 => new CliException($"server error ({code}){suffix}", ExitCodes.Failure),
            _ => new CliException($"{method} {path} failed ({code}){suffix}", ExitCodes.Failure),
        };
    }

    private static string? Detail(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(body) is JsonObject json)
            {
                var text = Text(json, "detail") ?? Text(json, "error_description") ?? Text(json, "description") ?? Text(json, "title");
                var error = Text(json, "error") ?? Text(json, "err");
                return (error, text) switch
                {
                    (not null, not null) => $"{error}: {text}",
                    (null, not null) => text,
                    (not null, null) => error,
                    _ => null,
                };
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the start of the text says enough.
        }

        return body.Length > 200 ? body[..200] + "..." : body;
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
