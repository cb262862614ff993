using System.Security.Claims;
using System.Text.Json.Serialization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Cluster;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Keys;

using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Admin;

/// <summary>
/// Administration under <c>/admin</c> (scope <c>admin</c>, docs/API.md): streams with their backlog
/// and delivery state (for an inbound poll stream, <c>last_error</c> is its last failed poll), dead letters (list, retry, discard), replay, and the issuer's keys.
/// </summary>
internal static class AdminEndpoints
{
    /// <summary>The last second <see cref="DateTimeOffset"/> can hold (9999-12-31T23:59:59Z).</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(Scopes.Admin);
        admin.MapGet("/streams", ListStreams).ReadsQuery("project", "Only this project's streams.").Produces<AdminStream[]>();
        admin.MapGet("/streams/{streamId}/deadletters", ListDeadLetters).ReadsQuery("max", "At most this many dead letters.", isInteger: true).Produces<AdminDeadLetter[]>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/streams/{streamId}/deadletters/retry", RetryDeadLetters)
            .Reads<DeadLetterSelection>().Produces<AdminCount>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/streams/{streamId}/deadletters/discard", DiscardDeadLetters)
            .Reads<DeadLetterSelection>().Produces<AdminCount>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/streams/{streamId}/replay", Replay)
            .Reads<ReplayRequest>().Produces<AdminCount>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/keys", ListKeys).Produces<AdminKey[]>();
        admin.MapPost("/keys/rotate", RotateKey).Reads<KeyRotationRequest>().Produces<AdminKey>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> ListStreams(HttpRequest request, ClaimsPrincipal caller, IStreamStore streams, IDeliveryStore deliveries, ILeaseStore cluster, CancellationToken cancellationToken)
    {
        // Which node pushes (or polls) each stream now: the holder of its lease (docs/ARCHITECTURE.md, "Cluster").
        var workers = (await cluster.ListLeasesAsync(cancellationToken)).ToDictionary(l => l.StreamId, l => l.NodeId, StringComparer.Ordinal);
        var list = new List<AdminStream>();
        var project = request.Query["project"].FirstOrDefault() is { } named ? caller.AdminProject(named) : null;
        var found = (await streams.ListStreamsAsync(project, null, cancellationToken)).Where(s => caller.SharesTenant(s.Project)).ToList();

        // One read for every stream's backlog, not one per stream.
        var backlogs = await deliveries.GetBacklogsAsync([.. found.Select(s => s.StreamId)], cancellationToken);
        foreach (var stream in found)
        {
            var backlog = backlogs[stream.StreamId];
            list.Add(new AdminStream(stream.StreamId, TenantProjects.LocalName(stream.Project), stream.OwnerClientId, stream.Direction, stream.Status, stream.StatusReason,
                backlog.Pending, backlog.OldestPendingAt?.ToUnixTimeSeconds(), backlog.DeadLetters, stream.SourceError ?? backlog.LastError,
                workers.GetValueOrDefault(stream.StreamId)));
        }

        return TypedResults.Json(list.ToArray(), AdminApiJsonContext.Default.AdminStreamArray);
    }

    private static async Task<IResult> ListDeadLetters(string streamId, HttpRequest request, ClaimsPrincipal caller, StreamCatalog catalog, IDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        if (!IsOwn(catalog, caller, streamId))
        {
            return Problems.NotFound($"There is no stream '{streamId}'.");
        }

        var max = 100;
        if (request.Query["max"].FirstOrDefault() is { } text
            && !(int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out max) && max is > 0 and <= 10000))
        {
            return Problems.BadRequest("max must be a whole number from 1 to 10000.");
        }

        var dead = await deliveries.ReadDeadLettersAsync(streamId, max, cancellationToken);
        return TypedResults.Json(
            dead.Select(d => new AdminDeadLetter(d.Jti, d.Id, d.LastError, d.Attempts, d.CreatedAt.ToUnixTimeSeconds())).ToArray(),
            AdminApiJsonContext.Default.AdminDeadLetterArray);
    }

    private static Task<IResult> RetryDeadLetters(string streamId, HttpRequest request, ClaimsPrincipal caller, StreamCatalog catalog, IDeliveryStore deliveries, StreamSignals signals, CancellationToken cancellationToken) =>
        ForDeadLettersAsync(streamId, request, caller, catalog, jtis => DeadLetterRetry.RetryAsync(deliveries, signals, streamId, jtis, cancellationToken), cancellationToken);

    private static Task<IResult> DiscardDeadLetters(string streamId, HttpRequest request, ClaimsPrincipal caller, StreamCatalog catalog, IDeliveryStore deliveries, CancellationToken cancellationToken) =>
        ForDeadLettersAsync(streamId, request, caller, catalog, jtis => deliveries.DiscardDeadLettersAsync(streamId, jtis, cancellationToken).AsTask(), cancellationToken);

    /// <summary>
    /// Body <c>{"from_time": seconds} | {"from_jti": "..."} | {"from_position": n}</c>, exactly one, and
    /// <c>"dry_run": true</c> to learn how many SETs would be sent again without queuing them.
    /// </summary>
    private static async Task<IResult> Replay(string streamId, HttpRequest request, ClaimsPrincipal caller, StreamCatalog catalog, StreamReplay replay, CancellationToken cancellationToken)
    {
        if (!IsOwn(catalog, caller, streamId))
        {
            return Problems.NotFound($"There is no stream '{streamId}'.");
        }

        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var fromTime = body.Int64("from_time");
        var fromJti = body.String("from_jti");
        var fromPosition = body.Int64("from_position");
        var dryRun = body.Boolean("dry_run") ?? false;
        if (fromTime is < 0 or > MaxUnixSeconds)
        {
            return Problems.BadRequest($"from_time must be seconds since 1970, from 0 to {MaxUnixSeconds}.");
        }

        var start = ReplayStart.TryCreate(fromPosition, fromTime is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null, fromJti);
        if (body.Errors.Count > 0 || start is null)
        {
            return Problems.BadRequest("Give exactly one of from_time (seconds since the epoch), from_jti or from_position.", body.Errors);
        }

        var replayed = await replay.ReplayAsync(streamId, start, dryRun, cancellationToken);
        return TypedResults.Json(new AdminCount(replayed), AdminApiJsonContext.Default.AdminCount);
    }

    /// <summary>A stream of the admin's tenant; another tenant's stream is as unknown as a stream that does not exist.</summary>
    private static bool IsOwn(StreamCatalog catalog, ClaimsPrincipal caller, string streamId) =>
        catalog.Find(streamId) is { } route && caller.SharesTenant(route.Project);

    private static IResult ListKeys(ClaimsPrincipal caller, IssuerKeyStore keys) =>
        TypedResults.Json(
            keys.Published(caller.Tenant()).Select(AdminKey.From).ToArray(),
            AdminApiJsonContext.Default.AdminKeyArray);

    /// <summary>
    /// Body <c>{"algorithm": "ES256" | "RS256" | "PS256", "now": true}</c>, both optional: the active
    /// key's algorithm; the new key is published at once and signs after the rotation lead time, or
    /// at once with <c>now</c> (a compromised key).
    /// </summary>
    private static async Task<IResult> RotateKey(HttpRequest request, ClaimsPrincipal caller, IssuerKeyStore keys, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var now = body.Boolean("now") ?? false;
        if (body.Errors.Count > 0 || await keys.RotateToAsync(body.String("algorithm"), now, cancellationToken, caller.Tenant()) is not { } key)
        {
            return Problems.BadRequest($"algorithm must be one of {string.Join(", ", SigningAlgorithms.Signing)}.", body.Errors);
        }

        return TypedResults.Json(AdminKey.From(key), AdminApiJsonContext.Default.AdminKey);
    }

    /// <summary>Body <c>{"jtis": [...]}</c> for some dead letters, or no <c>jtis</c> for all of the stream's.</summary>
    private static async Task<IResult> ForDeadLettersAsync(string streamId, HttpRequest request, ClaimsPrincipal caller, StreamCatalog catalog, Func<IReadOnlyCollection<string>?, Task<int>> act, CancellationToken cancellationToken)
    {
        if (!IsOwn(catalog, caller, streamId))
        {
            return Problems.NotFound($"There is no stream '{streamId}'.");
        }

        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var jtis = body.StringArray("jtis");
        if (body.Errors.Count > 0)
        {
            return Problems.BadRequest(string.Join("; ", body.Errors), body.Errors);
        }

        return TypedResults.Json(new AdminCount(await act(jtis)), AdminApiJsonContext.Default.AdminCount);
    }
}

internal sealed record AdminStream(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("owner_client_id")] string? OwnerClientId,
    [property: JsonPropertyName("direction")] string Direction,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("oldest_pending_at")] long? OldestPendingAt,
    [property: JsonPropertyName("dead_letters")] long DeadLetters,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("worker_node")] string? WorkerNode);

internal sealed record AdminDeadLetter(
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("queued_at")] long QueuedAt);

internal sealed record AdminKey(
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("retired_at")] long? RetiredAt,
    [property: JsonPropertyName("signs_from")] long? SignsFrom)
{
    public static AdminKey From(PublishedKey key) =>
        new(key.KeyId, key.Algorithm, key.State, key.RetiredAt?.ToUnixTimeSeconds(), key.SignsFrom?.ToUnixTimeSeconds());
}

internal sealed record AdminCount([property: JsonPropertyName("count")] int Count);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminStream[]))]
[JsonSerializable(typeof(AdminDeadLetter[]))]
[JsonSerializable(typeof(AdminKey))]
[JsonSerializable(typeof(AdminKey[]))]
[JsonSerializable(typeof(AdminCount))]
internal sealed partial class AdminApiJsonContext : JsonSerializerContext;
