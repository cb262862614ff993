using System.Security.Claims;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// Stream configuration (SSF 1.0 §8.1.1): create, read, update, replace and delete, with what the
/// transmitter fills in. Bodies are checked by <see cref="StreamRequestValidator"/>; a stream joined
/// at a remote transmitter is changed there too (<see cref="JoinedStreams"/>).
/// </summary>
internal sealed partial class StreamConfigurations(
    IStreamStore store,
    CallerStreams visible,
    StreamCatalog catalog,
    StreamCodec codec,
    StreamLifecycle lifecycle,
    StreamRequestValidator validator,
    JoinedStreams joins,
    StreamEncryptionKeys encryptionKeys,
    IssuerUrl issuer,
    ProjectEventTypes eventTypes,
    StreamCredentials credentials,
    IOptions<StreamOptions> options,
    IOptions<QuotaOptions> quotas,
    TimeProvider time,
    ILogger<StreamConfigurations> logger)
{
    public async Task<Outcome<StreamConfiguration>> CreateAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        var request = StreamRequest.Read(body);
        var streamId = NewStreamId();
        if (validator.CheckCreate(caller, body, request, streamId).Failed(out var invalid, out var stream)
            || (await joins.DiscoverAsync(stream, cancellationToken)).Failed(out invalid, out stream)
            || (await encryptionKeys.ResolveAsync(stream.Encryption, cancellationToken)).Failed(out invalid, out var encryption))
        {
            return invalid;
        }

        var (inbound, joining, source, project) = (stream.IsInbound, stream.IsJoining, stream.Source, stream.Project);
        var configuration = new StreamConfiguration
        {
            StreamId = streamId,

            // An inbound stream's iss and aud are what its SETs must carry: the source's issuer, and
            // this server (SSF 1.0 §8.1.1; RFC 8935 §2). A joined stream's aud is the one the source
            // names in its answer; until then (one round trip) no aud is required, so that an early
            // push is taken: it still comes with this stream's own receive credential, which only the
            // source holds, and is signed with the source's keys.
            Issuer = source?.Issuer ?? issuer.For(caller.Tenant()),
            Audience = stream.Audience ?? (joining ? [] : inbound ? [issuer.For(caller.Tenant())] : [caller.ClientIdOf() ?? issuer.Url(caller.Tenant(), "/ssf/streams/" + streamId)]),
            EventsSupported = eventTypes.Supported(project),
            EventsRequested = request.EventsRequested,
            EventsDelivered = Delivered(project, request.EventsRequested),
            Delivery = stream.Delivery,
            MinVerificationInterval = inbound ? null : options.Value.MinVerificationIntervalSeconds,
            InactivityTimeout = inbound ? null : options.Value.InactivityTimeoutSeconds,
            Description = request.Description,
            Direction = stream.Direction,
            RouteMode = request.RouteMode ?? RouteModes.Republish,
            Project = project,
            Source = source,
            Encryption = encryption,
        };
        var now = time.GetUtcNow();
        var record = new StreamRecord(streamId, project, caller.ClientIdOf(), stream.Direction, StreamStatuses.Enabled, codec.Encode(configuration), now, now) { LastActivityAt = now };
        if (!await store.CreateStreamWithinLimitAsync(record, quotas.Value.MaxStreamsPerClient, cancellationToken))
        {
            return quotas.Value.StreamsReached(record.OwnerClientId!);
        }

        if (inbound && configuration.Delivery.Method == DeliveryMethods.Push && !joining)
        {
            // The credential the source pushes with is the stream credential, kept only as its hash
            // and shown in this answer alone (a joined source is handed one by this server instead).
            var credential = await credentials.IssueAsync(streamId, cancellationToken);
            configuration = configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = "Bearer " + credential } };
        }

        await catalog.RefreshAsync(streamId, cancellationToken);
        if ((await joins.JoinAsync(record, configuration, cancellationToken)).Failed(out var refused, out configuration))
        {
            return refused;
        }

        LogCreated(logger, streamId, project, configuration.Delivery.Method);
        return configuration;
    }

    public async Task<Outcome<StreamConfiguration>> GetAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        await lifecycle.RecordActivityAsync(record, cancellationToken);
        return await joins.FollowAsync(record, codec.Decode(record), cancellationToken);
    }

    public async Task<IReadOnlyList<StreamConfiguration>> ListAsync(ClaimsPrincipal caller, string? project, CancellationToken cancellationToken)
    {
        var streams = caller.IsAdmin()
            ? await store.ListStreamsAsync(project is null ? null : caller.AdminProject(project), null, cancellationToken)
            : await store.ListStreamsAsync(caller.Project(), caller.ClientIdOf() ?? "", cancellationToken);
        return streams.Where(s => caller.SharesTenant(s.Project)).Select(codec.Decode).ToList();
    }

    /// <summary>PATCH (merge) or PUT (replace), SSF 1.0 §8.1.1.3 and §8.1.1.4.</summary>
    public async Task<Outcome<StreamConfiguration>> UpdateAsync(ClaimsPrincipal caller, JsonBody body, bool replace, CancellationToken cancellationToken)
    {
        var streamId = body.String("stream_id");
        if (streamId is null)
        {
            return Failure.Invalid([.. body.Errors, "stream_id is required"]);
        }

        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        var current = codec.Decode(record);
        var request = StreamRequest.Read(body);
        if (validator.CheckChange(body, request, current, replace).Failed(out var invalid, out var change)
            || (ReferenceEquals(change.Encryption, current.Encryption) ? current.Encryption : await encryptionKeys.ResolveAsync(change.Encryption, cancellationToken))
                .Failed(out invalid, out var encryption))
        {
            return invalid;
        }

        var updated = current with
        {
            // A joined inbound stream's events_supported are its source's (SourceJoin).
            EventsSupported = current.IsInbound ? current.EventsSupported : eventTypes.Supported(current.Project),
            EventsRequested = change.EventsRequested,
            EventsDelivered = Delivered(current.Project, change.EventsRequested),
            Delivery = change.Delivery,
            Description = request.HasDescription || replace ? request.Description : current.Description,
            RouteMode = request.RouteMode ?? (replace ? RouteModes.Republish : current.RouteMode),
            Encryption = encryption,
        };
        if ((await joins.UpdateAsync(current, updated, request, replace, cancellationToken)).Failed(out var refused, out updated))
        {
            return refused;
        }

        var now = time.GetUtcNow();
        await store.UpdateStreamAsync(record with { Configuration = codec.Encode(updated), UpdatedAt = now, LastActivityAt = now }, cancellationToken);
        await catalog.RefreshAsync(streamId, cancellationToken);
        return updated;
    }

    public async Task<Outcome> DeleteAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        await joins.LeaveAsync(codec.Decode(record), cancellationToken);
        await store.DeleteStreamAsync(record.StreamId, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        LogDeleted(logger, record.StreamId);
        return Outcome.Done;
    }

    /// <summary>
    /// SSF 1.0 §8.1.1: events_delivered is what was requested and is supported (the catalog and the
    /// project's custom types); unknown URIs are ignored.
    /// </summary>
    private List<string> Delivered(string project, IReadOnlyList<string>? requested)
    {
        var supported = eventTypes.Supported(project);
        return requested is null
            ? [.. supported]
            : requested.Select(EventCatalog.Normalize).Where(supported.Contains).Distinct().ToList();
    }

    /// <summary>128 random bits in RFC 3986 unreserved characters (SSF 1.0 §8.1.1).</summary>
    private static string NewStreamId() => SetIds.NewId();

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} created in project {Project}, delivery {Method}")]
    private static partial void LogCreated(ILogger logger, string streamId, string project, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} deleted")]
    private static partial void LogDeleted(ILogger logger, string streamId);
}
