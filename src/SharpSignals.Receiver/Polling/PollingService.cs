using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpSignals.Client;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Intake;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Transmitter;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Receiver.Polling;

/// <summary>
/// Long-polls the transmitter (RFC 8936) once the stream is set up for poll delivery. Each SET of an
/// answer goes through <see cref="SetIntake"/> in order. It is acknowledged only after its handlers
/// succeeded and that was recorded; an invalid one goes back in <c>setErrs</c>; one whose handler
/// failed is neither (RFC 8936 §2.6 keeps <c>setErrs</c> for invalid SETs), so the transmitter sends
/// it again, and the rest of that answer waits for it. Acknowledgements ride on the next poll.
/// </summary>
internal sealed partial class PollingService(
    SetIntake intake,
    TransmitterClient transmitter,
    SharedSignalsReceiverStatus status,
    IOptions<SharedSignalsReceiverOptions> options,
    TimeProvider time,
    ILogger<PollingService> logger) : BackgroundService
{
    /// <summary>How much longer than the long-poll wait an answer may take.</summary>
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan NotReadyDelay = TimeSpan.FromMilliseconds(100);

    private readonly List<string> _ack = [];
    private readonly Dictionary<string, SetError> _errors = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Delivery != ReceiverDeliveryMethod.Poll)
        {
            return;
        }

        try
        {
            await PollUntilStoppedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The application is stopping.
        }
        finally
        {
            await FlushAsync();
        }
    }

    private async Task PollUntilStoppedAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var returnImmediately = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (intake.Stream is not { PollEndpointUrl: { } endpoint })
            {
                await Task.Delay(NotReadyDelay, time, cancellationToken);
                continue;
            }

            string? failure;
            var more = false;
            try
            {
                var answer = await PollAsync(endpoint, options.Value.PollMaxEvents, returnImmediately, cancellationToken);
                (failure, more) = await ReceiveAsync(answer, cancellationToken);
            }
            catch (TransmitterException ex)
            {
                failure = ex.Message;
            }

            if (failure is null)
            {
                failures = 0;
                status.Succeeded();

                // Acknowledgements waiting: send them at once rather than with a poll that may wait.
                returnImmediately = more || _ack.Count > 0 || _errors.Count > 0;
                continue;
            }

            var delay = Backoff.Delay(failures++, options.Value.MaxRetryDelaySeconds);
            status.Failed(failure);
            LogPollFailed(logger, failure, delay.TotalSeconds);
            returnImmediately = false;
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    /// <summary>One poll (RFC 8936 §2.2) carrying the settled SETs, which are forgotten once the transmitter answered 200.</summary>
    private async Task<PollResponse> PollAsync(string endpoint, int maxEvents, bool returnImmediately, CancellationToken cancellationToken)
    {
        var request = new PollRequest
        {
            MaxEvents = maxEvents,
            ReturnImmediately = returnImmediately,
            Ack = [.. _ack],
            SetErrs = _errors.ToDictionary(e => e.Key, e => new PollSetError(e.Value.Code, e.Value.Description), StringComparer.Ordinal),
        };
        var timeout = returnImmediately || maxEvents == 0 ? AnswerMargin : TimeSpan.FromSeconds(options.Value.PollWaitSeconds) + AnswerMargin;
        var answer = await transmitter.PollAsync(endpoint, request, timeout, cancellationToken);
        _ack.Clear();
        _errors.Clear();
        return answer;
    }

    /// <summary>RFC 8936 §2.3: the SETs of an answer, in order; returns the failure that stopped the answer short, if any.</summary>
    private async Task<(string? Failure, bool More)> ReceiveAsync(PollResponse answer, CancellationToken cancellationToken)
    {
        foreach (var (jti, token) in answer.Sets)
        {
            if (token is null)
            {
                _errors[jti] = new SetError(SetErrorCodes.InvalidRequest, "The SET is not a string.");
                continue;
            }

            var outcome = await intake.ReceiveAsync(token, cancellationToken);
            switch (outcome.Result)
            {
                case IntakeResult.Handled or IntakeResult.Duplicate:
                    _ack.Add(jti);
                    break;
                case IntakeResult.Refused:
                    _errors[jti] = outcome.Error!;
                    break;
                default:
                    // Later SETs wait for this one, which keeps the order; all of them come again.
                    return ($"{jti}: {outcome.Error?.Description}", false);
            }
        }

        return (null, answer.MoreAvailable);
    }

    /// <summary>Stopping: tells the transmitter what was settled if it answers at once (RFC 8936 §2.4, acknowledgement only).</summary>
    private async Task FlushAsync()
    {
        if (intake.Stream is not { PollEndpointUrl: { } endpoint } || (_ack.Count == 0 && _errors.Count == 0))
        {
            return;
        }

        try
        {
            await PollAsync(endpoint, maxEvents: 0, returnImmediately: true, CancellationToken.None);
        }
        catch (TransmitterException ex)
        {
            // They come again after the restart and are answered from the handled jti record.
            LogFlushFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poll failed: {Error}; polling again in {Seconds:0.0} s")]
    private static partial void LogPollFailed(ILogger logger, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not acknowledge on stopping: {Error}")]
    private static partial void LogFlushFailed(ILogger logger, string error);
}
