using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Handlers;
using SharpSignals.Receiver.State;
using SharpSignals.Receiver.Streams;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Intake;

/// <summary>
/// Takes one SET in, pushed or polled alike: validated fail-closed with the token library against
/// the stream (RFC 8935 §2: parse, signature with the transmitter's keys, <c>iss</c>, <c>aud</c>,
/// event types the stream delivers; SSF 1.0 §4.1: <c>typ</c>, no <c>sub</c> or <c>exp</c>), the
/// verification <c>state</c> checked (SSF 1.0 §8.1.4.2), then deduplicated on <c>jti</c> and handed
/// to the handlers. A SET counts as handled only once every handler succeeded and that is recorded
/// in the state store.
/// </summary>
internal sealed partial class SetIntake(
    EventDispatcher dispatcher,
    IReceiverStateStore store,
    SharedSignalsReceiverStatus status,
    IOptions<SharedSignalsReceiverOptions> options,
    TimeProvider time,
    ILogger<SetIntake> logger)
{
    private readonly HandledJtis _handled = new(options.Value.RememberedJtis);
    private volatile ActiveStream? _stream;

    public ActiveStream? Stream => _stream;

    /// <summary>Loads the handled <c>jti</c> values, then starts taking SETs in on <paramref name="stream"/>.</summary>
    public async Task ActivateAsync(ActiveStream stream, CancellationToken cancellationToken)
    {
        _handled.Load(await store.GetHandledJtisAsync(options.Value.Issuer, options.Value.RememberedJtis, cancellationToken));
        _stream = stream;
    }

    public async Task<IntakeOutcome> ReceiveAsync(string token, CancellationToken cancellationToken)
    {
        if (_stream is not { } stream)
        {
            return IntakeOutcome.Retry(SetErrorCodes.AccessDenied, "The receiver is still setting up its stream; send again shortly.");
        }

        var result = await stream.Validator.ValidateAsync(token, cancellationToken);
        if (!result.IsValid)
        {
            LogRefused(logger, result.Error!.Code, result.Error.Description);
            return result.IsTransient ? new IntakeOutcome(IntakeResult.Retry, result.Error) : IntakeOutcome.Refused(result.Error!);
        }

        var set = result.Set!;
        if (_handled.Contains(set.Jti))
        {
            // Settled before (perhaps before a restart, with a verification state asked for then): acknowledge again.
            return IntakeOutcome.Duplicate;
        }

        // SSF 1.0 §8.1.4.2: a verification answering a request echoes its state; one without state was
        // started by the transmitter and is accepted.
        if (set.Event is Verification { State: { } state } && state != stream.VerificationState && state != stream.PreviousVerificationState)
        {
            LogRefused(logger, SetErrorCodes.InvalidState, "state mismatch");
            return IntakeOutcome.Refused(new SetError(SetErrorCodes.InvalidState, "The verification's state is not the one this receiver asked for."));
        }

        var claim = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_handled.TryBegin(set.Jti, claim) is { } earlier)
        {
            // The same jti again: acknowledged without handlers once its first copy was handled.
            return await earlier.WaitAsync(cancellationToken)
                ? IntakeOutcome.Duplicate
                : IntakeOutcome.Retry(SetErrorCodes.AccessDenied, "An earlier copy of this SET failed to be handled; send again later.");
        }

        var handled = false;
        try
        {
            Observe(set, stream);
            await dispatcher.DispatchAsync(set, cancellationToken);
            await store.AddHandledJtiAsync(set.Issuer, set.Jti, cancellationToken);
            handled = true;
            LogHandled(logger, set.Jti, set.Event.EventType);
            return IntakeOutcome.Handled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not the SET's fault: it is neither acknowledged nor refused, and comes again.
            LogHandlerFailed(logger, ex, set.Jti, set.Event.EventType);
            status.Failed($"Handling {set.Jti} failed: {ex.Message}");
            return IntakeOutcome.Retry(SetErrorCodes.AccessDenied, "The receiver could not handle this SET yet; send again later.");
        }
        finally
        {
            _handled.Finish(set.Jti, claim, handled);
        }
    }

    /// <summary>The stream events the receiver itself follows (SSF 1.0 §8.1.4 and §8.1.5).</summary>
    private void Observe(SecurityEventToken set, ActiveStream stream)
    {
        switch (set.Event)
        {
            case Verification { State: { } state } when state == stream.VerificationState:
                status.Verified(time.GetUtcNow());
                LogVerified(logger, stream.StreamId);
                break;
            case StreamUpdated updated:
                status.StatusChanged(updated.Status, updated.Reason);
                LogStreamUpdated(logger, stream.StreamId, updated.Status, updated.Reason);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a SET: {Error} ({Description})")]
    private static partial void LogRefused(ILogger logger, string error, string description);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handled {Jti} ({EventType})")]
    private static partial void LogHandled(ILogger logger, string jti, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A handler failed for {Jti} ({EventType}); the SET will come again")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string jti, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} verified")]
    private static partial void LogVerified(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The transmitter set stream {StreamId} {Status}: {Reason}")]
    private static partial void LogStreamUpdated(ILogger logger, string streamId, string? status, string? reason);
}
