using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Http;
using SharpSignals.Server.Inbound;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.Streams;

/// <summary>
/// The rules of stream management (SSF 1.0 §8.1.1–§8.1.4): who may see which stream, which members
/// a receiver may set, what the transmitter fills in, and status, subjects and verification.
/// </summary>
internal sealed partial class StreamService(
    IStreamStore store,
    IDeliveryStore deliveries,
    StreamCatalog catalog,
    StreamCodec codec,
    EventRouter router,
    IssuerUrl issuer,
    OutboundAddressPolicy addresses,
    SourceJoin join,
    ProjectEventTypes eventTypes,
    StreamCredentials credentials,
    IOptions<StreamOptions> options,
    TimeProvider time,
    ILogger<StreamService> logger) : IDisposable
{
    /// <summary>The dead-letter reason of a status notice that no longer describes its stream.</summary>
    public const string SupersededError = "superseded";

    private readonly SemaphoreSlim _transmitterChanges = new(1, 1);

    public void Dispose() => _transmitterChanges.Dispose();

    public async Task<StreamOutcome> CreateAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        var request = StreamRequest.Read(body);
        var errors = body.Errors;

        // SSF 1.0 §8.1.1.1: the create body carries receiver-supplied members only; the admin may name the audience.
        foreach (var member in StreamRequest.TransmitterSupplied.Where(m => body.Has(m) && !(m == "aud" && caller.IsAdmin())))
        {
            errors.Add($"{member} is supplied by the transmitter and cannot be set");
        }

        var direction = request.Direction ?? StreamDirections.Outbound;
        var inbound = direction == StreamDirections.Inbound;
        if (!inbound && direction != StreamDirections.Outbound)
        {
            errors.Add("direction must be outbound or inbound");
        }

        // An inbound stream brings events into the project, as publishing does.
        if (inbound && !caller.IsAdmin() && !caller.HasScope(Scopes.Publish))
        {
            return StreamOutcome.Problem(Problems.Forbidden($"Creating an inbound stream takes the {Scopes.Publish} scope."));
        }

        var project = caller.IsAdmin() ? request.Project ?? CallerClaims.DefaultProject : caller.Project();
        if (request.Project is not null && request.Project != project)
        {
            errors.Add("project is set by the caller's credentials");
        }

        var audience = caller.IsAdmin() && body.Has("aud") ? ReadAudience(body.Root.GetProperty("aud"), errors) : null;
        var streamId = NewStreamId();
        var delivery = inbound
            ? CheckInboundDelivery(streamId, request, errors)
            : CheckDelivery(streamId, request.HasDelivery ? request.Delivery : null, errors);
        var source = inbound ? CheckSource(request, errors) : null;
        if (source is { Echo: true } && caller.ClientIdOf() is null)
        {
            errors.Add("source.echo sends a client's own events back to its own outbound streams: a stream the admin creates has no owner to echo to");
        }
        if (!inbound && request.HasSource)
        {
            errors.Add("source is only for inbound streams");
        }

        var joining = source?.IsJoined == true;
        if (joining && audience is not null)
        {
            errors.Add("aud of a stream joined at a remote transmitter is that transmitter's to set");
        }

        CheckRouteMode(request.RouteMode, errors);
        if (errors.Count > 0)
        {
            return StreamOutcome.Invalid(errors);
        }

        if (joining)
        {
            var (discovered, problem) = await join.DiscoverAsync(source!, delivery!.Method, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            source = discovered;
        }

        var configuration = new StreamConfiguration
        {
            StreamId = streamId,

            // An inbound stream's iss and aud are what its SETs must carry: the source's issuer, and
            // this server (SSF 1.0 §8.1.1; RFC 8935 §2). A joined stream's aud is the one the source
            // names in its answer; until then (one round trip) no aud is required, so that an early
            // push is taken: it still comes with this stream's own receive credential, which only the
            // source holds, and is signed with the source's keys.
            Issuer = source?.Issuer ?? issuer.Value,
            Audience = audience ?? (joining ? [] : inbound ? [issuer.Value] : [caller.ClientIdOf() ?? issuer.Url("/ssf/streams/" + streamId)]),
            EventsSupported = eventTypes.Supported(project),
            EventsRequested = request.EventsRequested,
            EventsDelivered = Delivered(project, request.EventsRequested),
            Delivery = delivery!,
            MinVerificationInterval = inbound ? null : options.Value.MinVerificationIntervalSeconds,
            InactivityTimeout = inbound ? null : options.Value.InactivityTimeoutSeconds,
            Description = request.Description,
            Direction = direction,
            RouteMode = request.RouteMode ?? RouteModes.Republish,
            Project = project,
            Source = source,
        };
        var now = time.GetUtcNow();
        var record = new StreamRecord(streamId, project, caller.ClientIdOf(), direction, StreamStatuses.Enabled, codec.Encode(configuration), now, now) { LastActivityAt = now };
        await store.CreateStreamAsync(record, cancellationToken);
        if (inbound && configuration.Delivery.Method == DeliveryMethods.Push && !joining)
        {
            // The credential the source pushes with is the stream credential, kept only as its hash
            // and shown in this answer alone (a joined source is handed one by this server instead).
            var credential = await credentials.IssueAsync(streamId, cancellationToken);
            configuration = configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = "Bearer " + credential } };
        }

        await catalog.RefreshAsync(streamId, cancellationToken);
        if (joining)
        {
            var joined = await join.JoinAsync(record, configuration, cancellationToken);
            if (joined.Error is not null)
            {
                return joined;
            }

            configuration = joined.Configuration!;
        }

        LogCreated(logger, streamId, project, configuration.Delivery.Method);
        return StreamOutcome.Ok(configuration);
    }

    public async Task<StreamOutcome> GetAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        await RecordActivityAsync(record!, cancellationToken);
        var configuration = codec.Decode(record!);
        return StreamOutcome.Ok(IsJoined(configuration) ? await join.FollowAsync(record!, configuration, cancellationToken) : configuration);
    }

    public async Task<IReadOnlyList<StreamConfiguration>> ListAsync(ClaimsPrincipal caller, string? project, CancellationToken cancellationToken)
    {
        var streams = caller.IsAdmin()
            ? await store.ListStreamsAsync(project, null, cancellationToken)
            : await store.ListStreamsAsync(caller.Project(), caller.ClientIdOf() ?? "", cancellationToken);
        return streams.Select(codec.Decode).ToList();
    }

    /// <summary>PATCH (merge) or PUT (replace), SSF 1.0 §8.1.1.3 and §8.1.1.4.</summary>
    public async Task<StreamOutcome> UpdateAsync(ClaimsPrincipal caller, JsonBody body, bool replace, CancellationToken cancellationToken)
    {
        var streamId = body.String("stream_id");
        if (streamId is null)
        {
            return StreamOutcome.Invalid([.. body.Errors, "stream_id is required"]);
        }

        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var current = codec.Decode(record!);
        var request = StreamRequest.Read(body);
        var errors = body.Errors;
        CheckUnchanged(body, current, errors);
        if (request.Direction is not null && request.Direction != current.Direction)
        {
            errors.Add("direction cannot be changed");
        }

        if (request.Project is not null && request.Project != current.Project)
        {
            errors.Add("project cannot be changed");
        }

        CheckRouteMode(request.RouteMode, errors);
        var eventsRequested = request.HasEventsRequested || replace ? request.EventsRequested : current.EventsRequested;
        var delivery = current.IsInbound
            ? KeepInboundDelivery(current, request, errors)
            : request.HasDelivery || replace
                ? CheckDelivery(streamId, request.HasDelivery ? request.Delivery : null, errors)
                : current.Delivery;
        if (request.HasSource && current.IsInbound)
        {
            errors.Add("source cannot be changed; delete the stream and create it again");
        }
        else if (request.HasSource)
        {
            errors.Add("source is only for inbound streams");
        }
        if (errors.Count > 0)
        {
            return StreamOutcome.Invalid(errors);
        }

        var updated = current with
        {
            // A joined inbound stream's events_supported are its source's (SourceJoin).
            EventsSupported = current.IsInbound ? current.EventsSupported : eventTypes.Supported(current.Project),
            EventsRequested = eventsRequested,
            EventsDelivered = Delivered(current.Project, eventsRequested),
            Delivery = delivery!,
            Description = request.HasDescription || replace ? request.Description : current.Description,
            RouteMode = request.RouteMode ?? (replace ? RouteModes.Republish : current.RouteMode),
        };
        if (IsJoined(current))
        {
            var remote = await join.UpdateAsync(current, updated, request, replace, cancellationToken);
            if (remote.Error is not null)
            {
                return remote;
            }

            updated = remote.Configuration!;
        }

        var now = time.GetUtcNow();
        await store.UpdateStreamAsync(record! with { Configuration = codec.Encode(updated), UpdatedAt = now, LastActivityAt = now }, cancellationToken);
        await catalog.RefreshAsync(streamId, cancellationToken);
        return StreamOutcome.Ok(updated);
    }

    public async Task<StreamOutcome> DeleteAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (codec.Decode(record!) is var configuration && IsJoined(configuration))
        {
            await join.LeaveAsync(configuration, cancellationToken);
        }

        await store.DeleteStreamAsync(record!.StreamId, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        LogDeleted(logger, record.StreamId);
        return StreamOutcome.Ok(null);
    }

    public async Task<(StreamRecord? Record, StreamOutcome? Error)> GetStatusAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (record is not null)
        {
            await RecordActivityAsync(record, cancellationToken);
        }

        return (record, error);
    }

    /// <summary>SSF 1.0 §8.1.2.2: the receiver changes the status; disabling drops what was held.</summary>
    public async Task<(StreamRecord? Record, StreamOutcome? Error)> SetStatusAsync(ClaimsPrincipal caller, string? streamId, string? status, string? reason, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        if (status is null || !StreamStatuses.All.Contains(status))
        {
            return (null, StreamOutcome.Invalid([$"status must be one of {string.Join(", ", StreamStatuses.All)}"]));
        }

        if (codec.Decode(record!) is var configuration && IsJoined(configuration))
        {
            var (sourceStatus, remoteError) = await join.SetStatusAsync(configuration, status, reason, cancellationToken);
            if (remoteError is not null)
            {
                return (null, remoteError);
            }

            var source = configuration.Source! with { Status = sourceStatus ?? configuration.Source!.Status, StatusReason = sourceStatus is null ? configuration.Source!.StatusReason : reason };
            record = record! with { Configuration = codec.Encode(configuration with { Source = source }) };
        }

        return (await ChangeStatusAsync(record!, status, reason, cancellationToken), null);
    }

    /// <summary>
    /// The transmitter changes a stream's status on its own (a receiver refusing credentials,
    /// inactivity): SSF 1.0 §8.1.5 requires a stream-updated event, sent before stopping.
    /// </summary>
    public async Task ChangeStatusByTransmitterAsync(string streamId, string status, string reason, CancellationToken cancellationToken)
    {
        // Delivery and the inactivity check may decide the same change at once: one of them makes it.
        await _transmitterChanges.WaitAsync(cancellationToken);
        try
        {
            var record = await store.GetStreamAsync(streamId, cancellationToken);
            var route = catalog.Find(streamId);
            if (record is null || route is null || record.Status == status)
            {
                return;
            }

            var (_, notice) = await router.AppendStreamEventAsync(route, new StreamUpdated { Status = status, Reason = reason }, cancellationToken);
            await ChangeStatusAsync(record, status, reason, cancellationToken, pauseNotice: status == StreamStatuses.Paused ? notice : null);
            LogTransmitterStatus(logger, streamId, status, reason);
        }
        finally
        {
            _transmitterChanges.Release();
        }
    }

    /// <summary>
    /// Delivery has gone past the notice of a pause the transmitter made (nothing pending is at or
    /// before <paramref name="notice"/>): the stream now holds everything until it is enabled again.
    /// </summary>
    public async Task PauseNoticeSentAsync(string streamId, long notice, CancellationToken cancellationToken)
    {
        await _transmitterChanges.WaitAsync(cancellationToken);
        try
        {
            var record = await store.GetStreamAsync(streamId, cancellationToken);
            if (record is null || record.PauseNoticePosition != notice)
            {
                return;
            }

            await store.UpdateStreamAsync(record with { PauseNoticePosition = null }, cancellationToken);
            await catalog.RefreshAsync(streamId, cancellationToken);
        }
        finally
        {
            _transmitterChanges.Release();
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.3.2: the subject is in scope from now on. Under <c>default_subjects</c> NONE that
    /// includes it; under ALL it takes back a removal and narrows nothing.
    /// </summary>
    public async Task<StreamOutcome?> AddSubjectAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        var (record, subject, error) = await SubjectRequestAsync(caller, body, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var verified = body.Boolean("verified") ?? true;
        if (body.Errors.Count > 0)
        {
            return StreamOutcome.Invalid(body.Errors);
        }

        await store.AddSubjectAsync(record!.StreamId, new StreamSubject(subject!.CanonicalKey, subject.ToJson(), verified, time.GetUtcNow()), cancellationToken);
        await TouchAndRefreshAsync(record, cancellationToken);
        return null;
    }

    /// <summary>SSF 1.0 §8.1.3.3: the subject is out of scope from now on, whatever <c>default_subjects</c> says.</summary>
    public async Task<StreamOutcome?> RemoveSubjectAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        var (record, subject, error) = await SubjectRequestAsync(caller, body, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        // SSF 1.0 §8.1.3: the subject is out of scope from now on, also one never added (under
        // default_subjects ALL every subject is in scope until removed); it is kept as removed rather
        // than forgotten. A subject that was not there is answered the same (§8.1.3.3), so the answer
        // reveals nothing about which subjects exist.
        await store.AddSubjectAsync(record!.StreamId, new StreamSubject(subject!.CanonicalKey, subject.ToJson(), Verified: true, time.GetUtcNow()) { Included = false }, cancellationToken);
        await TouchAndRefreshAsync(record, cancellationToken);
        return null;
    }

    /// <summary>SSF 1.0 §8.1.4.2: queue a verification event echoing <c>state</c>; 429 when asked too often.</summary>
    public async Task<(StreamOutcome? Error, TimeSpan? RetryAfter)> VerifyAsync(ClaimsPrincipal caller, string? streamId, string? state, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return (error, null);
        }

        var now = time.GetUtcNow();
        var configuration = codec.Decode(record!);
        var interval = TimeSpan.FromSeconds(configuration.MinVerificationInterval ?? 0);
        if (record!.LastVerificationAt is { } last && now - last < interval)
        {
            return (StreamOutcome.Problem(Problems.TooManyRequests($"Verification may be requested once every {interval.TotalSeconds:0} seconds.")), last + interval - now);
        }

        // As the source's receiver, this server asks the source, with a state of its own; the caller's is not the one that comes back.
        if (IsJoined(configuration))
        {
            return await join.VerifyAsync(record, configuration, cancellationToken);
        }

        // Verification SETs flow from a transmitter to its receiver; on a stream this server did not
        // set up at its source, only the source can send one.
        if (configuration.IsInbound)
        {
            return (StreamOutcome.Invalid(["an inbound stream is verified by its source; this server can ask for it only on a stream it joined (source.authorization_header or client_id)"]), null);
        }

        await store.UpdateStreamAsync(record with { LastVerificationAt = now, LastActivityAt = now }, cancellationToken);
        var route = catalog.Find(record.StreamId);
        if (route is not null && record.Status != StreamStatuses.Disabled)
        {
            var (jti, _) = await router.AppendStreamEventAsync(route, new Verification { State = state }, cancellationToken);
            LogVerification(logger, record.StreamId, jti);
        }

        return (null, null);
    }

    /// <summary>
    /// A new credential of the stream's own (docs/API.md, "Stream credentials"), shown this once; whatever
    /// credential the stream was polled or pushed at with before stops working. Only for streams whose
    /// receiving end is this server's: an outbound poll stream, an inbound push stream not joined at
    /// its source (a joined source was handed its credential by this server, which would cut it off).
    /// </summary>
    public async Task<(StreamCredentialResponse? Credential, StreamOutcome? Error)> IssueCredentialAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        var (record, configuration, error) = await FindCredentialStreamAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var credential = await credentials.IssueAsync(streamId, cancellationToken);
        if (credential is null)
        {
            return (null, StreamOutcome.Problem(Problems.NotFound($"There is no stream '{streamId}'.")));
        }

        await DropCreatedCredentialAsync(record!, configuration!, cancellationToken);
        LogCredentialIssued(logger, streamId);
        return (new StreamCredentialResponse(streamId, "Bearer " + credential, configuration!.Delivery.EndpointUrl), null);
    }

    /// <summary>Revokes the stream's credential, and for an inbound push stream the one shown when it was created: nothing is accepted for it until one is issued.</summary>
    public async Task<StreamOutcome?> RevokeCredentialAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        var (record, configuration, error) = await FindCredentialStreamAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        await credentials.RevokeAsync(streamId, cancellationToken);
        await DropCreatedCredentialAsync(record!, configuration!, cancellationToken);
        LogCredentialRevoked(logger, streamId);
        return null;
    }

    private async Task<(StreamRecord? Record, StreamConfiguration? Configuration, StreamOutcome? Error)> FindCredentialStreamAsync(ClaimsPrincipal caller, string streamId, CancellationToken cancellationToken)
    {
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return (null, null, error);
        }

        var configuration = codec.Decode(record!);
        var polledHere = !configuration.IsInbound && configuration.Delivery.Method == DeliveryMethods.Poll;
        var pushedHere = configuration.IsInbound && configuration.Delivery.Method == DeliveryMethods.Push && !IsJoined(configuration);
        return polledHere || pushedHere
            ? (record, configuration, null)
            : (null, null, StreamOutcome.Invalid(["a stream credential is for a stream polled or pushed to at this server: an outbound poll stream, or an inbound push stream that was not joined at its source"]));
    }

    /// <summary>An inbound push stream's credential shown at its creation is kept (encrypted) in its delivery; one credential per stream, so it goes.</summary>
    private async Task DropCreatedCredentialAsync(StreamRecord record, StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        if (configuration.IsInbound && configuration.Delivery.AuthorizationHeader is not null)
        {
            var changed = configuration with { Delivery = configuration.Delivery with { AuthorizationHeader = null } };
            await store.UpdateStreamAsync(record with { Configuration = codec.Encode(changed), UpdatedAt = time.GetUtcNow() }, cancellationToken);
            await catalog.RefreshAsync(record.StreamId, cancellationToken);
        }
    }

    /// <summary>
    /// SSF 1.0 §8.1.1: management calls and polls count as receiver activity. Recorded at most once a
    /// minute per stream, so that reads and polls do not cost a write each time.
    /// </summary>
    public async Task RecordActivityAsync(StreamRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (record.LastActivityAt is not { } last || now - last >= TimeSpan.FromMinutes(1))
        {
            await store.UpdateStreamAsync(record with { LastActivityAt = now }, cancellationToken);
        }
    }

    /// <summary>
    /// Also settles where delivery stops: a pause the transmitter made (<paramref name="pauseNotice"/>)
    /// takes effect after its notice, any other change at once.
    /// </summary>
    private async Task<StreamRecord> ChangeStatusAsync(StreamRecord record, string status, string? reason, CancellationToken cancellationToken, long? pauseNotice = null)
    {
        var now = time.GetUtcNow();
        var updated = record with { Status = status, StatusReason = reason, UpdatedAt = now, LastActivityAt = now, PauseNoticePosition = pauseNotice };
        await store.UpdateStreamAsync(updated, cancellationToken);
        if (record.PauseNoticePosition is { } stale)
        {
            await DropStaleNoticeAsync(record.StreamId, stale, status, now, cancellationToken);
        }

        if (status == StreamStatuses.Disabled)
        {
            // SSF 1.0 §8.1.2: a disabled stream keeps nothing for later.
            await deliveries.DiscardPendingAsync(record.StreamId, cancellationToken);
        }
        else if (status == StreamStatuses.Enabled && record.Status != StreamStatuses.Enabled)
        {
            // Enabled again, typically because the receiver fixed what it refused: what waits for a
            // retry is tried at once, so that nothing behind it (a verification) waits out a back-off
            // that described the stream as it was.
            await deliveries.RetryPendingNowAsync(record.StreamId, cancellationToken);
        }

        await catalog.RefreshAsync(record.StreamId, cancellationToken);
        return updated;
    }

    /// <summary>
    /// A pause notice still pending when the status changes again describes a status the stream no
    /// longer has (SSF 1.0 §8.1.5 asks for the stream's status, not its history): it becomes a dead
    /// letter that says why, so the receiver never hears of a pause that is over, and nothing queued
    /// after it (a verification) waits behind its retries. Done with the change itself, so it holds
    /// across restarts.
    /// </summary>
    private async Task DropStaleNoticeAsync(string streamId, long notice, string status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = (await deliveries.ReadEventDeliveriesAsync(notice, cancellationToken))
            .Where(d => d.StreamId == streamId && d.State == DeliveryState.Pending)
            .Select(d => new DeliveryFailure(d.Jti, SupersededError, $"The stream's status changed to {status} before this notice was delivered."))
            .ToList();
        if (pending.Count > 0)
        {
            await deliveries.DeadLetterAsync(streamId, pending, now, cancellationToken);
            LogNoticeSuperseded(logger, streamId, status);
        }
    }

    private async Task<(StreamRecord? Record, SubjectIdentifier? Subject, StreamOutcome? Error)> SubjectRequestAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        var streamId = body.String("stream_id");
        var (record, error) = await FindAsync(caller, streamId, cancellationToken);
        if (error is not null)
        {
            return (null, null, error);
        }

        if (body.Object("subject") is not { } element)
        {
            return (null, null, StreamOutcome.Invalid([.. body.Errors, "subject is required and must be a subject identifier object"]));
        }

        var subject = SubjectIdentifier.Read(element, "subject");
        return subject.Subject is null
            ? (null, null, StreamOutcome.Invalid(subject.Errors))
            : (record, subject.Subject, null);
    }

    private async Task TouchAndRefreshAsync(StreamRecord record, CancellationToken cancellationToken)
    {
        await store.UpdateStreamAsync(record with { LastActivityAt = time.GetUtcNow() }, cancellationToken);
        await catalog.RefreshAsync(record.StreamId, cancellationToken);
    }

    /// <summary>A stream the caller may see, or 404: a receiver never learns of another's streams (SSF 1.0 §8.1.1).</summary>
    private async Task<(StreamRecord? Record, StreamOutcome? Error)> FindAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(streamId))
        {
            return (null, StreamOutcome.Invalid(["stream_id is required"]));
        }

        var record = await store.GetStreamAsync(streamId, cancellationToken);
        var visible = record is not null && (caller.IsAdmin() || (record.OwnerClientId is not null && record.OwnerClientId == caller.ClientIdOf())
            || caller.CredentialStreamOf() == record.StreamId);
        return visible ? (record, null) : (null, StreamOutcome.Problem(Problems.NotFound($"There is no stream '{streamId}'.")));
    }

    private DeliveryConfiguration? CheckDelivery(string streamId, DeliveryConfiguration? requested, List<string> errors)
    {
        // SSF 1.0 §8.1.1.1: no delivery means poll, with the transmitter's endpoint.
        var method = requested?.Method ?? DeliveryMethods.Poll;
        switch (method)
        {
            case DeliveryMethods.Poll:
                return new DeliveryConfiguration { Method = DeliveryMethods.Poll, EndpointUrl = issuer.Url("/ssf/poll/" + streamId) };
            case DeliveryMethods.Push:
                if (addresses.CheckUrl(requested!.EndpointUrl) is { } problem)
                {
                    errors.Add($"delivery.endpoint_url {problem}");
                    return null;
                }

                CheckHeaderValue(requested.AuthorizationHeader, "delivery.authorization_header", errors);

                return requested;
            case "":
                return null;
            default:
                errors.Add($"delivery.method must be {DeliveryMethods.Push} or {DeliveryMethods.Poll}");
                return null;
        }
    }

    /// <summary>
    /// An inbound stream's delivery (docs/API.md, "Inbound streams"): pushed to this server at its own
    /// URL with a credential generated here, or polled by this server from the source's endpoint.
    /// Without a delivery member the source pushes.
    /// </summary>
    private DeliveryConfiguration? CheckInboundDelivery(string streamId, StreamRequest request, List<string> errors)
    {
        var requested = request.HasDelivery ? request.Delivery : null;
        switch (requested?.Method ?? DeliveryMethods.Push)
        {
            case DeliveryMethods.Push:
                if (requested?.EndpointUrl is not null || requested?.AuthorizationHeader is not null)
                {
                    errors.Add("delivery.endpoint_url and delivery.authorization_header of an inbound push stream are set by this server");
                }

                return new DeliveryConfiguration
                {
                    Method = DeliveryMethods.Push,
                    EndpointUrl = issuer.Url("/ssf/push/" + streamId),

                    // A joined source is handed this one when the stream is made at it; any other
                    // source gets the stream credential issued once the stream is stored.
                    AuthorizationHeader = request.Source?.IsJoined == true ? "Bearer " + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)) : null,
                };
            case DeliveryMethods.Poll when request.Source?.IsJoined == true:
                if (requested?.EndpointUrl is not null)
                {
                    errors.Add("delivery.endpoint_url of a stream joined at a remote transmitter comes from that transmitter");
                }

                return new DeliveryConfiguration { Method = DeliveryMethods.Poll, AuthorizationHeader = request.Source.AuthorizationHeader };
            case DeliveryMethods.Poll:
                if (addresses.CheckUrl(requested!.EndpointUrl) is { } problem)
                {
                    errors.Add($"delivery.endpoint_url {problem}: an inbound poll stream polls the source's poll endpoint");
                    return null;
                }

                CheckHeaderValue(requested.AuthorizationHeader, "delivery.authorization_header", errors);
                return requested;
            case "":
                return null;
            default:
                errors.Add($"delivery.method must be {DeliveryMethods.Push} or {DeliveryMethods.Poll}");
                return null;
        }
    }

    /// <summary>An inbound stream keeps its delivery: it is where its source sends or where this server polls.</summary>
    private static DeliveryConfiguration KeepInboundDelivery(StreamConfiguration current, StreamRequest request, List<string> errors)
    {
        if (request.Delivery is { } requested && (requested.Method != current.Delivery.Method
            || (requested.EndpointUrl is not null && requested.EndpointUrl != current.Delivery.EndpointUrl)))
        {
            errors.Add("the delivery of an inbound stream cannot be changed; delete the stream and create it again");
        }

        return current.Delivery;
    }

    /// <summary>Where an inbound stream's SETs come from; the source's own URLs pass the same address rules as pushes.</summary>
    private SourceConfiguration? CheckSource(StreamRequest request, List<string> errors)
    {
        if (request.Source is not { } source)
        {
            errors.Add("source is required for an inbound stream: {\"issuer\", \"jwks_uri\"?, ...}");
            return null;
        }

        foreach (var (name, url) in new[] { ("jwks_uri", source.JwksUri), ("configuration_endpoint", source.ConfigurationEndpoint), ("token_endpoint", source.TokenEndpoint) })
        {
            if (url is not null && addresses.CheckUrl(url) is { } problem)
            {
                errors.Add($"source.{name} {problem}");
            }
        }

        if (source.IsJoined && addresses.CheckUrl(source.Issuer) is { } issuerProblem)
        {
            errors.Add($"source.issuer {issuerProblem}: joining reads its discovery document");
        }

        if ((source.ClientId is null) != (source.ClientSecret is null))
        {
            errors.Add("source.client_id and source.client_secret go together");
        }

        if (source.AuthorizationHeader is not null && source.ClientId is not null)
        {
            errors.Add("source takes either authorization_header or client_id and client_secret, not both");
        }

        CheckHeaderValue(source.AuthorizationHeader, "source.authorization_header", errors);
        return source;
    }

    /// <summary>An inbound stream this server created at a remote transmitter, whose changes are made there too.</summary>
    private static bool IsJoined(StreamConfiguration configuration) =>
        configuration is { IsInbound: true, Source: { IsJoined: true, StreamId: not null } };

    private static void CheckHeaderValue(string? header, string name, List<string> errors)
    {
        if (header is not null && (header.Length > 4096 || header.Any(char.IsControl)))
        {
            errors.Add($"{name} must be a single header value");
        }
    }

    /// <summary>SSF 1.0 §8.1.1.3: transmitter-supplied members may appear but must equal the current values.</summary>
    private static void CheckUnchanged(JsonBody body, StreamConfiguration current, List<string> errors)
    {
        var currentJson = JsonSerializer.SerializeToElement(current, StreamJsonContext.Default.StreamConfiguration);
        foreach (var member in StreamRequest.TransmitterSupplied.Where(m => m != "stream_id" && body.Has(m)))
        {
            var given = body.Root.GetProperty(member);
            if (!currentJson.TryGetProperty(member, out var value) || !SameValue(given, value))
            {
                errors.Add($"{member} is supplied by the transmitter and does not match the stream");
            }
        }
    }

    private static bool SameValue(JsonElement a, JsonElement b)
    {
        static IEnumerable<string> Values(JsonElement e) => e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.ToString())
            : [e.ToString()];

        // Lists compare as sets (order carries no meaning); aud may be a string or a one-element array.
        return Values(a).ToHashSet(StringComparer.Ordinal).SetEquals(Values(b));
    }

    private static IReadOnlyList<string>? ReadAudience(JsonElement aud, List<string> errors)
    {
        if (aud.ValueKind == JsonValueKind.String && aud.GetString() is { Length: > 0 } single)
        {
            return [single];
        }

        if (aud.ValueKind == JsonValueKind.Array && aud.GetArrayLength() > 0 && aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String))
        {
            return aud.EnumerateArray().Select(a => a.GetString()!).ToList();
        }

        errors.Add("aud must be a string or an array of strings");
        return null;
    }

    private static void CheckRouteMode(string? routeMode, List<string> errors)
    {
        if (routeMode is not null && routeMode != RouteModes.Republish && routeMode != RouteModes.Forward)
        {
            errors.Add($"route_mode must be {RouteModes.Republish} or {RouteModes.Forward}");
        }
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
    private static string NewStreamId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} created in project {Project}, delivery {Method}")]
    private static partial void LogCreated(ILogger logger, string streamId, string project, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} deleted")]
    private static partial void LogDeleted(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} set to {Status} by the transmitter: {Reason}")]
    private static partial void LogTransmitterStatus(ILogger logger, string streamId, string status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: its pending pause notice no longer applies (now {Status}); moved to dead letters")]
    private static partial void LogNoticeSuperseded(ILogger logger, string streamId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: a new stream credential was issued; the one before no longer works")]
    private static partial void LogCredentialIssued(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId}: its stream credential was revoked")]
    private static partial void LogCredentialRevoked(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verification {Jti} queued for stream {StreamId}")]
    private static partial void LogVerification(ILogger logger, string streamId, string jti);
}
