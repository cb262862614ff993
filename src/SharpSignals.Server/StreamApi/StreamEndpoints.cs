using System.Security.Claims;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.StreamApi;

/// <summary>The SSF 1.0 §8.1 management API: configuration, status, subjects, verification.</summary>
internal static class StreamEndpoints
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder app)
    {
        var ssf = app.MapGroup("/ssf").AddEndpointFilter(NoStore);
        ssf.MapPost("/streams", Create).RequireAuthorization(Scopes.Manage)
            .Reads<StreamConfiguration>().Produces<StreamConfiguration>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status502BadGateway);
        ssf.MapGet("/streams", Read).RequireAuthorization(Scopes.Read)
            .ReadsQuery("stream_id", "The stream; without it, every stream the caller may see (SSF 1.0 §8.1.1.2).")
            .ReadsQuery("project", "The admin only: list one project's streams.")
            .Produces<StreamConfiguration>().ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPatch("/streams", Update).RequireAuthorization(Scopes.Manage)
            .Reads<StreamConfiguration>().Produces<StreamConfiguration>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPut("/streams", Replace).RequireAuthorization(Scopes.Manage)
            .Reads<StreamConfiguration>().Produces<StreamConfiguration>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapDelete("/streams", Delete).RequireAuthorization(Scopes.Manage)
            .ReadsQuery("stream_id", "The stream to delete (SSF 1.0 §8.1.1.5).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapGet("/status", GetStatus).RequireAuthorization(Scopes.Read)
            .ReadsQuery("stream_id", "The stream whose status is asked (SSF 1.0 §8.1.2.1).")
            .Produces<StreamStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPost("/status", SetStatus).RequireAuthorization(Scopes.Manage)
            .ReadsQuery("stream_id", "The stream, when the body does not name it.")
            .Reads<StreamStatusRequest>().Produces<StreamStatusResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPost("/subjects/add", AddSubject).RequireAuthorization(Scopes.Manage)
            .Reads<SubjectRequest>().Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPost("/subjects/remove", RemoveSubject).RequireAuthorization(Scopes.Manage)
            .Reads<SubjectRequest>().Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapPost("/verify", Verify).RequireAuthorization(Scopes.Manage)
            .Reads<VerificationRequest>().Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        ssf.MapPost("/streams/{streamId}/credential", IssueCredential).RequireAuthorization(Scopes.Manage)
            .Produces<StreamCredentialResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        ssf.MapDelete("/streams/{streamId}/credential", RevokeCredential).RequireAuthorization(Scopes.Manage)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return (await streams.CreateAsync(caller, body, cancellationToken)).ToResult(created =>
            TypedResults.Json(StreamCodec.Created(created), StreamJsonContext.Default.StreamConfiguration, statusCode: StatusCodes.Status201Created));
    }

    private static async Task<IResult> Read(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, CancellationToken cancellationToken)
    {
        var streamId = request.Query["stream_id"].FirstOrDefault();
        if (streamId is null)
        {
            // SSF 1.0 §8.1.1.2: without stream_id, every stream the caller may see, [] when none.
            var all = await streams.ListAsync(caller, request.Query["project"].FirstOrDefault(), cancellationToken);
            return TypedResults.Json(all.Select(StreamCodec.Public).ToArray(), StreamJsonContext.Default.StreamConfigurationArray);
        }

        return (await streams.GetAsync(caller, streamId, cancellationToken)).ToResult(Configuration);
    }

    private static Task<IResult> Update(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, CancellationToken cancellationToken) =>
        ChangeAsync(request, caller, streams, replace: false, cancellationToken);

    private static Task<IResult> Replace(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, CancellationToken cancellationToken) =>
        ChangeAsync(request, caller, streams, replace: true, cancellationToken);

    private static async Task<IResult> Delete(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, CancellationToken cancellationToken) =>
        (await streams.DeleteAsync(caller, request.Query["stream_id"].FirstOrDefault(), cancellationToken)).ToResult(TypedResults.NoContent);

    private static async Task<IResult> GetStatus(HttpRequest request, ClaimsPrincipal caller, StreamControls streams, CancellationToken cancellationToken) =>
        (await streams.GetStatusAsync(caller, request.Query["stream_id"].FirstOrDefault(), cancellationToken)).ToResult(Status);

    private static async Task<IResult> SetStatus(HttpRequest request, ClaimsPrincipal caller, StreamControls streams, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        // The conformance suite sends stream_id both in the query and in the body.
        var streamId = body.String("stream_id") ?? request.Query["stream_id"].FirstOrDefault();
        var status = body.String("status");
        var reason = body.String("reason");
        if (body.Errors.Count > 0)
        {
            return Failure.Invalid(body.Errors).ToResult();
        }

        return (await streams.SetStatusAsync(caller, streamId, status, reason, cancellationToken)).ToResult(Status);
    }

    private static async Task<IResult> AddSubject(HttpRequest request, ClaimsPrincipal caller, StreamControls streams, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return (await streams.AddSubjectAsync(caller, body, cancellationToken)).ToResult(TypedResults.Ok);
    }

    private static async Task<IResult> RemoveSubject(HttpRequest request, ClaimsPrincipal caller, StreamControls streams, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return (await streams.RemoveSubjectAsync(caller, body, cancellationToken)).ToResult(TypedResults.NoContent);
    }

    private static async Task<IResult> Verify(HttpRequest request, ClaimsPrincipal caller, StreamControls streams, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var streamId = body.String("stream_id");
        var state = body.String("state");
        if (body.Errors.Count > 0)
        {
            return Failure.Invalid(body.Errors).ToResult();
        }

        return (await streams.VerifyAsync(caller, streamId, state, cancellationToken)).ToResult(TypedResults.NoContent);
    }

    /// <summary>Not in SSF 1.0: a credential for this stream's poll or push endpoint that does not expire (docs/API.md, "Stream credentials").</summary>
    private static async Task<IResult> IssueCredential(string streamId, ClaimsPrincipal caller, StreamCredentialApi credentials, CancellationToken cancellationToken) =>
        (await credentials.IssueAsync(caller, streamId, cancellationToken)).ToResult(credential =>
            TypedResults.Json(credential, StreamApiJsonContext.Default.StreamCredentialResponse, statusCode: StatusCodes.Status201Created));

    private static async Task<IResult> RevokeCredential(string streamId, ClaimsPrincipal caller, StreamCredentialApi credentials, CancellationToken cancellationToken) =>
        (await credentials.RevokeAsync(caller, streamId, cancellationToken)).ToResult(TypedResults.NoContent);

    private static async Task<IResult> ChangeAsync(HttpRequest request, ClaimsPrincipal caller, StreamConfigurations streams, bool replace, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return (await streams.UpdateAsync(caller, body, replace, cancellationToken)).ToResult(Configuration);
    }

    private static IResult Configuration(StreamConfiguration configuration) =>
        TypedResults.Json(StreamCodec.Public(configuration), StreamJsonContext.Default.StreamConfiguration, statusCode: StatusCodes.Status200OK);

    private static IResult Status(StreamRecord record) =>
        TypedResults.Json(new StreamStatusResponse(record.StreamId, record.Status, record.StatusReason), StreamApiJsonContext.Default.StreamStatusResponse);

    /// <summary>SSF 1.0 §8.1 examples: management answers are not cached.</summary>
    private static async ValueTask<object?> NoStore(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return await next(context);
    }
}
