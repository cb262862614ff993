using System.Security.Claims;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Server.StreamApi;

/// <summary>
/// What a receiver does with a stream besides configuring it: its status (SSF 1.0 §8.1.2), its
/// subjects (§8.1.3) and verification (§8.1.4).
/// </summary>
internal sealed partial class StreamControls(
    IStreamStore store,
    CallerStreams visible,
    StreamCatalog catalog,
    StreamCodec codec,
    EventRouter router,
    StreamLifecycle lifecycle,
    JoinedStreams joins,
    IOptions<QuotaOptions> quotas,
    TimeProvider time,
    ILogger<StreamControls> logger)
{
    public async Task<Outcome<StreamRecord>> GetStatusAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        var found = await visible.FindAsync(caller, streamId, cancellationToken);
        if (!found.Failed(out _, out var record))
        {
            await lifecycle.RecordActivityAsync(record, cancellationToken);
        }

        return found;
    }

    /// <summary>SSF 1.0 §8.1.2.2: the receiver changes the status; disabling drops what was held.</summary>
    public async Task<Outcome<StreamRecord>> SetStatusAsync(ClaimsPrincipal caller, string? streamId, string? status, string? reason, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        return await SetStatusAsync(record, status, reason, cancellationToken);
    }

    /// <summary>As <see cref="SetStatusAsync(ClaimsPrincipal, string?, string?, string?, CancellationToken)"/> for a stream the caller was already found to see (the operator console).</summary>
    public async Task<Outcome<StreamRecord>> SetStatusAsync(StreamRecord record, string? status, string? reason, CancellationToken cancellationToken)
    {
        if (status is null || !StreamStatuses.All.Contains(status))
        {
            return Failure.Invalid([$"status must be one of {string.Join(", ", StreamStatuses.All)}"]);
        }

        if ((await joins.SetStatusAsync(record, codec.Decode(record), status, reason, cancellationToken)).Failed(out var refused, out var joined))
        {
            return refused;
        }

        return await lifecycle.ChangeStatusAsync(joined, status, reason, cancellationToken);
    }

    /// <summary>
    /// SSF 1.0 §8.1.3.2: the subject is in scope from now on. Under <c>default_subjects</c> NONE that
    /// includes it; under ALL it takes back a removal and narrows nothing.
    /// </summary>
    public async Task<Outcome> AddSubjectAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        if ((await SubjectRequestAsync(caller, body, cancellationToken)).Failed(out var invalid, out var request))
        {
            return invalid;
        }

        var verified = body.Boolean("verified") ?? true;
        if (body.Errors.Count > 0)
        {
            return Failure.Invalid(body.Errors);
        }

        var (record, subject) = request;
        return await RecordSubjectAsync(record, new StreamSubject(subject.CanonicalKey, subject.ToJson(), verified, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>SSF 1.0 §8.1.3.3: the subject is out of scope from now on, whatever <c>default_subjects</c> says.</summary>
    public async Task<Outcome> RemoveSubjectAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        if ((await SubjectRequestAsync(caller, body, cancellationToken)).Failed(out var invalid, out var request))
        {
            return invalid;
        }

        // SSF 1.0 §8.1.3: the subject is out of scope from now on, also one never added (under
        // default_subjects ALL every subject is in scope until removed); it is kept as removed rather
        // than forgotten. A subject that was not there is answered the same (§8.1.3.3), so the answer
        // reveals nothing about which subjects exist.
        var (record, subject) = request;
        return await RecordSubjectAsync(record, new StreamSubject(subject.CanonicalKey, subject.ToJson(), Verified: true, time.GetUtcNow()) { Included = false }, cancellationToken);
    }

    /// <summary>A removal is kept as a row too, so both count against the stream's subject limit.</summary>
    private async Task<Outcome> RecordSubjectAsync(StreamRecord record, StreamSubject subject, CancellationToken cancellationToken)
    {
        if (!await catalog.RecordSubjectAsync(
                record.StreamId,
                subject,
                () => store.AddSubjectWithinLimitAsync(record.StreamId, subject, quotas.Value.MaxSubjectsPerStream, cancellationToken),
                cancellationToken))
        {
            return quotas.Value.SubjectsReached(record.StreamId);
        }

        // The catalog took the one change: the stream's other subjects are not read again.
        var touched = record with { LastActivityAt = time.GetUtcNow() };
        await store.UpdateStreamAsync(touched, cancellationToken);
        await catalog.SubjectsChangedAsync(touched, cancellationToken);
        return Outcome.Done;
    }

    /// <summary>SSF 1.0 §8.1.4.2: queue a verification event echoing <c>state</c>; 429 with <c>Retry-After</c> when asked too often.</summary>
    public async Task<Outcome> VerifyAsync(ClaimsPrincipal caller, string? streamId, string? state, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, streamId, cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        return await VerifyAsync(record, state, cancellationToken);
    }

    /// <summary>As <see cref="VerifyAsync(ClaimsPrincipal, string?, string?, CancellationToken)"/> for a stream the caller was already found to see (the operator console).</summary>
    public async Task<Outcome> VerifyAsync(StreamRecord record, string? state, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var configuration = codec.Decode(record);
        var interval = TimeSpan.FromSeconds(configuration.MinVerificationInterval ?? 0);
        if (record.LastVerificationAt is { } last && now - last < interval)
        {
            return Failure.TooManyRequests($"Verification may be requested once every {interval.TotalSeconds:0} seconds.") with { RetryAfter = last + interval - now };
        }

        if (JoinedStreams.IsJoined(configuration))
        {
            return await joins.VerifyAsync(record, configuration, cancellationToken);
        }

        // Verification SETs flow from a transmitter to its receiver; on a stream this server did not
        // set up at its source, only the source can send one.
        if (configuration.IsInbound)
        {
            return Failure.Invalid(["an inbound stream is verified by its source; this server can ask for it only on a stream it joined (source.authorization_header or client_id)"]);
        }

        await store.UpdateStreamAsync(record with { LastVerificationAt = now, LastActivityAt = now }, cancellationToken);
        var route = catalog.Find(record.StreamId);
        if (route is not null && record.Status != StreamStatuses.Disabled)
        {
            var (jti, _) = await router.AppendStreamEventAsync(route, new Verification { State = state }, cancellationToken);
            LogVerification(logger, record.StreamId, jti);
        }

        return Outcome.Done;
    }

    private async Task<Outcome<(StreamRecord Record, SubjectIdentifier Subject)>> SubjectRequestAsync(ClaimsPrincipal caller, JsonBody body, CancellationToken cancellationToken)
    {
        if ((await visible.FindAsync(caller, body.String("stream_id"), cancellationToken)).Failed(out var notFound, out var record))
        {
            return notFound;
        }

        if (body.Object("subject") is not { } element)
        {
            return Failure.Invalid([.. body.Errors, "subject is required and must be a subject identifier object"]);
        }

        var subject = SubjectIdentifier.Read(element, "subject");
        return subject.Subject is null ? Failure.Invalid(subject.Errors) : (record, subject.Subject);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Verification {Jti} queued for stream {StreamId}")]
    private static partial void LogVerification(ILogger logger, string streamId, string jti);
}
