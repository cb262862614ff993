using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Tenants;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.Sources;

/// <summary>
/// <c>POST /ssf/push/{stream_id}</c>: the RFC 8935 push endpoint of an inbound push stream. The source
/// authenticates with the stream's own receive credential; the SET is answered 202 (empty body) only
/// once it is appended and routed on disk, or 400 with <c>{"err", "description"}</c>, storing nothing.
/// </summary>
internal static class SourcePushEndpoints
{
    public static IEndpointRouteBuilder MapSourcePush(this IEndpointRouteBuilder app)
    {
        // RFC 8935 §2: the body is the SET itself; 202 has no body, a refusal is {"err", "description"}.
        app.MapPost("/ssf/push/{streamId}", Receive).AllowAnonymous()
            .Reads<string>("application/secevent+jwt").Produces(StatusCodes.Status202Accepted).Produces<PushError>(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Receive(
        string streamId,
        HttpRequest request,
        HttpResponse response,
        StreamCatalog catalog,
        StreamCredentials credentials,
        SourceIntake intake,
        ServerMetrics metrics,
        IOptions<SourceOptions> options,
        CancellationToken cancellationToken)
    {
        // An unknown stream and a wrong credential get the same answer, so that stream ids cannot be
        // probed. The credential is the one shown when the stream was created, or its stream
        // credential once one was issued (which replaces the first).
        // A stream is found only under its own tenant's path (docs/TENANTS.md).
        var route = catalog.Find(streamId);
        if (route is null || !route.Configuration.IsInbound || !route.IsPush || !TenantProjects.Owns(request.HttpContext.Tenant(), route.Project)
            || !(CredentialMatches(request.Headers.Authorization.ToString(), route.Configuration.Delivery.AuthorizationHeader)
                || await credentials.MatchesAsync(streamId, BearerTokenHandler.BearerToken(request), cancellationToken)))
        {
            response.Headers.WWWAuthenticate = request.Headers.Authorization.Count == 0
                ? BearerChallenge.Plain
                : BearerChallenge.InvalidToken("The credential is not the one this stream receives with.");
            return TypedResults.Unauthorized();
        }

        if (route.Status == StreamStatuses.Disabled)
        {
            return Refused(metrics, route, SetErrorCodes.AccessDenied, "This stream is disabled and accepts no SETs.");
        }

        // RFC 8935 §2: the body is one SET, sent as application/secevent+jwt.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(SetMediaTypes.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return Refused(metrics, route, SetErrorCodes.InvalidRequest, $"The Content-Type must be {SetMediaTypes.ContentType}.");
        }

        var token = await ReadBodyAsync(request, options.Value.MaxSetBytes, cancellationToken);
        if (token is null)
        {
            return Refused(metrics, route, SetErrorCodes.InvalidRequest, $"The SET is larger than {options.Value.MaxSetBytes} bytes.");
        }

        var outcome = await intake.ReceiveAsync(route, token.Trim(), cancellationToken);
        if (outcome.IsAccepted)
        {
            return TypedResults.StatusCode(StatusCodes.Status202Accepted);
        }

        if (outcome.IsTransient)
        {
            // Not the SET's fault (the source's keys could not be fetched, or name no such kid yet and
            // cannot be fetched again before Retry-After, or the stream is still
            // being joined, or the server is busy): the source should send it again.
            response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(outcome.Error!.Description, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The SET cannot be checked yet");
        }

        return Error(outcome.Error!.Code, outcome.Error.Description);
    }

    /// <summary>A refusal before the SET reaches the intake, counted as the intake counts its own (an unknown stream or credential is not: its id is the caller's choice).</summary>
    private static IResult Refused(ServerMetrics metrics, StreamRoute route, string code, string description)
    {
        metrics.Received(route.StreamId, route.Project, ServerMetrics.Outcomes.Refused, code);
        return Error(code, description);
    }

    /// <summary>RFC 8935 §2.3: 400 with <c>{"err", "description"}</c>, and the language of the description.</summary>
    private static IResult Error(string code, string description) =>
        new PushErrorResult(new PushError(code, description));

    /// <summary>Ordinal equality in fixed time, over the strings' own UTF-16 bytes (no copy per request).</summary>
    private static bool CredentialMatches(string presented, string? expected) =>
        expected is not null && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(presented.AsSpan()), MemoryMarshal.AsBytes(expected.AsSpan()));

    /// <summary>The body as text, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        // Read as it arrives and stop one read past the limit: a larger body (chunked, or with a false
        // Content-Length) is answered while the source is still sending it, never buffered whole.
        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                if (read.Buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                    return null;
                }

                if (read.IsCompleted)
                {
                    var text = Encoding.UTF8.GetString(read.Buffer);
                    reader.AdvanceTo(read.Buffer.End);
                    return text;
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (SharpSignals:Requests:MaxBodyBytes) came first: still a SET too large.
            return null;
        }
    }

    private sealed class PushErrorResult(PushError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            httpContext.Response.Headers.ContentLanguage = "en";
            return httpContext.Response.WriteAsJsonAsync(error, SourceJsonContext.Default.PushError);
        }
    }
}

internal sealed record PushError([property: JsonPropertyName("err")] string Err, [property: JsonPropertyName("description")] string Description);

[JsonSerializable(typeof(PushError))]
internal sealed partial class SourceJsonContext : JsonSerializerContext;
