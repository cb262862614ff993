using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using SharpSignals.Receiver.Intake;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Push;

/// <summary>
/// The RFC 8935 push endpoint: the transmitter presents the credential this receiver gave it when
/// it created the stream; the SET is answered 202 with an empty body once it is handled (or was
/// before), 400 with <c>{"err", "description"}</c> when it is invalid, and 503 with
/// <c>Retry-After</c> when it cannot be settled yet (a handler failed, the keys could not be
/// fetched, the stream is still being set up), so that the transmitter sends it again.
/// </summary>
internal static class PushEndpoint
{
    /// <summary>The largest SET read (the token library's default limit).</summary>
    public const int MaxSetBytes = 64 * 1024;

    private const string RetryAfterSeconds = "5";

    public static async Task<IResult> ReceiveAsync(HttpRequest request, SetIntake intake, CancellationToken cancellationToken)
    {
        if (intake.Stream is not { } stream)
        {
            return Unavailable(request.HttpContext, "The receiver is still setting up its stream.");
        }

        if (!CredentialMatches(request.Headers.Authorization.ToString(), stream.PushAuthorizationHeader))
        {
            // RFC 8935 §3 and RFC 6750 §3: the transmitter authenticates with the header given at stream creation.
            request.HttpContext.Response.Headers.WWWAuthenticate = request.Headers.Authorization.Count == 0
                ? "Bearer"
                : "Bearer error=\"invalid_token\", error_description=\"The credential is not the one this stream receives with.\"";
            return TypedResults.Unauthorized();
        }

        // RFC 8935 §2: the body is one SET, sent as application/secevent+jwt.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(SetMediaTypes.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return new PushErrorResult(new PushError(SetErrorCodes.InvalidRequest, $"The Content-Type must be {SetMediaTypes.ContentType}."));
        }

        var token = await ReadBodyAsync(request, cancellationToken);
        if (token is null)
        {
            return new PushErrorResult(new PushError(SetErrorCodes.InvalidRequest, $"The SET is larger than {MaxSetBytes} bytes."));
        }

        var outcome = await intake.ReceiveAsync(token.Trim(), cancellationToken);
        return outcome.Result switch
        {
            IntakeResult.Handled or IntakeResult.Duplicate => TypedResults.StatusCode(StatusCodes.Status202Accepted),
            IntakeResult.Refused => new PushErrorResult(new PushError(outcome.Error!.Code, outcome.Error.Description)),
            _ => Unavailable(request.HttpContext, outcome.Error?.Description ?? "The SET cannot be settled yet."),
        };
    }

    private static IResult Unavailable(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The SET cannot be taken in yet");
    }

    private static bool CredentialMatches(string presented, string? expected) =>
        expected is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    /// <summary>The body as text, or null when it is longer than <see cref="MaxSetBytes"/>.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxSetBytes)
        {
            return null;
        }

        // Kestrel stops reading past the limit (BadHttpRequestException, 413) even without a Content-Length.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxSetBytes;
        }

        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(cancellationToken);
            return text.Length > MaxSetBytes ? null : text;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    /// <summary>RFC 8935 §2.3: 400, a JSON body with <c>err</c> and <c>description</c>, and the description's language.</summary>
    private sealed class PushErrorResult(PushError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            httpContext.Response.Headers.ContentLanguage = "en";
            return httpContext.Response.WriteAsJsonAsync(error, PushJsonContext.Default.PushError, contentType: "application/json");
        }
    }
}

internal sealed record PushError([property: JsonPropertyName("err")] string Err, [property: JsonPropertyName("description")] string Description);

[JsonSerializable(typeof(PushError))]
internal sealed partial class PushJsonContext : JsonSerializerContext;
