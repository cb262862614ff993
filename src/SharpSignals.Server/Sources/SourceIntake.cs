using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Intake;
using SharpSignals.Server.Keys;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Telemetry;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Validation;

using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Sources;

/// <summary>What became of one received SET: accepted (perhaps as a duplicate), or refused with an RFC 8935 error.</summary>
/// <param name="Error">The refusal, or null when the SET was accepted.</param>
/// <param name="IsTransient">Whether the refusal may not recur (the source's keys could not be fetched, or an unknown kid is waiting for them to be fetched again).</param>
/// <param name="IsDuplicate">Whether the SET was already stored: accepted without a second copy.</param>
/// <param name="RetryAfterSeconds">For a transient refusal, when to send again.</param>
internal sealed record SourceOutcome(SetError? Error, bool IsTransient = false, bool IsDuplicate = false, int RetryAfterSeconds = 30)
{
    public static readonly SourceOutcome Accepted = new(Error: null);

    public static readonly SourceOutcome Duplicate = new(Error: null, IsDuplicate: true);

    public bool IsAccepted => Error is null;

    public static SourceOutcome Refused(string code, string description) => new(new SetError(code, description));
}

/// <summary>
/// Takes SETs in on an inbound stream, pushed or polled alike (docs/ARCHITECTURE.md, "The path of one event"):
/// validated fail-closed against the stream's source (signature with the source's keys, <c>iss</c>,
/// <c>aud</c>, <c>typ</c>, no <c>sub</c>/<c>exp</c>, event types the stream carries), then appended
/// and routed in one transaction; the outcome is known only once that is on disk.
/// </summary>
internal sealed partial class SourceIntake(
    SourceKeys keys,
    EncryptionKeys encryptionKeys,
    EventRouter router,
    IngestGate gate,
    IStreamStore store,
    StreamCodec codec,
    StreamCatalog catalog,
    ServerMetrics metrics,
    TimeProvider time,
    IOptions<SourceOptions> options,
    ILogger<SourceIntake> logger)
{
    // A validator holds the stream's accepted issuer, audience and event types, so it lives as long
    // as that version of the stream's route; the keys behind it outlive it in SourceKeys.
    private readonly ConditionalWeakTable<StreamRoute, SetValidator> _validators = [];

    public async Task<SourceOutcome> ReceiveAsync(StreamRoute route, string token, CancellationToken cancellationToken)
    {
        using var span = ServerTracing.StartIntake("sharpsignals.receive", route.Project, route.StreamId);
        var outcome = await CheckAndAppendAsync(route, token, cancellationToken);
        var result = outcome switch
        {
            { IsDuplicate: true } => ServerMetrics.Outcomes.Duplicate,
            { IsAccepted: true } => ServerMetrics.Outcomes.Accepted,
            { IsTransient: true } => ServerMetrics.Outcomes.Busy,
            _ => ServerMetrics.Outcomes.Refused,
        };
        metrics.Received(route.StreamId, route.Project, result, outcome.Error?.Code);
        if (outcome.Error is { } error)
        {
            ServerTracing.Failed(span, error.Code);
        }

        return outcome;
    }

    private async Task<SourceOutcome> CheckAndAppendAsync(StreamRoute route, string token, CancellationToken cancellationToken)
    {
        var source = route.Configuration.Source!;
        if (route.Configuration.Audience.Count == 0)
        {
            // Being joined: the source has not yet said which aud its SETs carry, and no SET is
            // taken without its aud checked. It comes back once the join is done.
            return new SourceOutcome(new SetError(SetErrorCodes.AccessDenied, "The stream is still being set up with its source; send again shortly."), IsTransient: true);
        }

        RoutedEvent routed;
        SecurityEventToken set;
        using (var turn = await gate.EnterAsync(route.Project, cancellationToken))
        {
            if (turn is null)
            {
                return new SourceOutcome(new SetError(SetErrorCodes.AccessDenied, "Too many SETs are waiting to be taken in, or delivery is behind; send again shortly."), IsTransient: true, RetryAfterSeconds: 1);
            }

            // TryGetValue first: GetValue with a lambda would allocate its delegate on every SET.
            if (!_validators.TryGetValue(route, out var validator))
            {
                validator = _validators.GetValue(route, NewValidator);
            }

            var result = await validator.ValidateAsync(token, cancellationToken);
            if (!result.IsValid)
            {
                LogRefused(logger, route.StreamId, result.Error!.Code, result.Error.Description);
                return result.RetryAfter is { } retryAfter
                    ? new SourceOutcome(result.Error, IsTransient: true, RetryAfterSeconds: (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : new SourceOutcome(result.Error, result.IsTransient);
            }

            set = result.Set!;

            // SSF 1.0 §8.1.4.2: a verification answering a request carries its state; one without state
            // was started by the transmitter and is accepted.
            if (set.Event is Verification { State: { } state } && state != source.VerificationState)
            {
                LogRefused(logger, route.StreamId, SetErrorCodes.InvalidState, "state mismatch");
                return SourceOutcome.Refused(SetErrorCodes.InvalidState, "The verification's state is not the one this receiver asked for.");
            }

            routed = router.Route(set, result.SignedToken!, route.Project, route.StreamId);
        }

        // The wait for the commit is outside the turn, so that concurrent SETs share commits.
        var appended = await router.AppendAsync(routed, cancellationToken);
        if (appended.IsDuplicate)
        {
            return SourceOutcome.Duplicate;
        }

        if (set.Event is StreamUpdated updated)
        {
            await RecordSourceStatusAsync(route.StreamId, updated, cancellationToken);
        }

        return SourceOutcome.Accepted;
    }

    private SetValidator NewValidator(StreamRoute route)
    {
        var source = route.Configuration.Source!;
        return new SetValidator(new SetValidationOptions
        {
            Keys = keys.For(source),

            // A SET encrypted to this server's JWKS (use: enc) is opened first; its content must be a
            // SET the source signed, checked as any other (docs/API.md, "Encrypted SETs").
            DecryptionKeys = encryptionKeys.ForTenant(TenantProjects.TenantOf(route.Project)).DecryptionKeys,
            ValidIssuers = [source.Issuer],
            ValidAudiences = route.Configuration.Audience,
            AcceptedEventTypes = route.Configuration.EventsDelivered,
            MaxAge = options.Value.MaxSetAgeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            TimeProvider = time,
        });
    }

    /// <summary>SSF 1.0 §8.1.5: the source changed the stream's status on its side; keep what it said.</summary>
    private async Task RecordSourceStatusAsync(string streamId, StreamUpdated updated, CancellationToken cancellationToken)
    {
        if (await store.GetStreamAsync(streamId, cancellationToken) is not { } record)
        {
            return;
        }

        var configuration = codec.Decode(record);
        var source = configuration.Source! with { Status = updated.Status, StatusReason = updated.Reason };
        await store.UpdateStreamAsync(record with { Configuration = codec.Encode(configuration with { Source = source }), UpdatedAt = time.GetUtcNow() }, cancellationToken);
        await catalog.RefreshAsync(streamId, cancellationToken);
        LogSourceStatus(logger, streamId, updated.Status, updated.Reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound stream {StreamId} refused a SET: {Error} ({Description})")]
    private static partial void LogRefused(ILogger logger, string streamId, string error, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "The source of inbound stream {StreamId} set it {Status}: {Reason}")]
    private static partial void LogSourceStatus(ILogger logger, string streamId, string? status, string? reason);
}
