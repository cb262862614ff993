using System.Net;
using SharpSignals.Cli.Shell;
using SharpSignals.Client;

namespace SharpSignals.Cli.Http;

/// <summary>Turns an error answer (RFC 9457 problem, RFC 6749 error, RFC 8936 err) into one line and an exit code.</summary>
internal static class ApiErrors
{
    public static CliException From(SharedSignalsClientException refused, string profile)
    {
        var detail = Detail(refused);
        var code = refused.Status ?? 0;
        var suffix = detail is null ? "" : ": " + detail;
        var request = $"{refused.Method} {refused.RequestUri?.PathAndQuery}";
        return (HttpStatusCode)code switch
        {
            HttpStatusCode.Unauthorized => new CliException(
                $"the server refused the credentials of profile '{profile}' (401{suffix}); log in again with `ssf login`", ExitCodes.Unauthorized),
            HttpStatusCode.Forbidden => new CliException($"forbidden (403){suffix}", ExitCodes.Failure),
            HttpStatusCode.NotFound => new CliException($"not found (404){(detail is null ? ": " + request : suffix)}", ExitCodes.Failure),
            HttpStatusCode.BadRequest => new CliException($"the server rejected the request (400){suffix}", ExitCodes.Failure),
            HttpStatusCode.TooManyRequests => new CliException($"too many requests (429){suffix}", ExitCodes.Failure),
            _ when code >= 500 => new CliException($"server error ({code}){suffix}", ExitCodes.Failure),
            _ => new CliException($"{request} failed ({code}){suffix}", ExitCodes.Failure),
        };
    }

    /// <summary>What the server said; a body that is not JSON is quoted from its start.</summary>
    private static string? Detail(SharedSignalsClientException refused)
    {
        if (refused.Said is { } said)
        {
            return said;
        }

        var body = refused.ResponseBody;
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart().StartsWith('{'))
        {
            return null;
        }

        return body.Length > 200 ? body[..200] + "..." : body;
    }
}
