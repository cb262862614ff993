using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Transmitter;

namespace SharpSignals.Receiver.Streams;

/// <summary>
/// How a failed step of the stream's set-up is retried. A refusal (a 4xx other than 408 and 429, or an
/// answer this receiver cannot use, such as metadata naming another issuer) does not mend by itself:
/// it waits from 5 s up to <see cref="SharedSignalsReceiverOptions.MaxRefusedRetryDelaySeconds"/>.
/// Anything else (5xx, 408, 429, the network) is retried as before, from half a second up to
/// <see cref="SharedSignalsReceiverOptions.MaxRetryDelaySeconds"/>, or after the transmitter's <c>Retry-After</c>.
/// </summary>
internal static class SetupRetry
{
    public const double FirstRefusalDelaySeconds = 5;

    private const double FirstDelaySeconds = 0.5;

    public static bool IsRefusal(TransmitterException failure) => failure.Status switch
    {
        // RFC 9110 §15.5.9 and RFC 6585 §4: a timeout and "too many requests" ask to come back later.
        408 or 429 => false,
        >= 400 and < 500 => true,
        not null => false,
        null => failure.InnerException is not (HttpRequestException or TaskCanceledException or IOException),
    };

    /// <param name="failure">What failed.</param>
    /// <param name="previousFailures">How many attempts failed in a row before this one.</param>
    /// <param name="options">The receiver's options (the caps).</param>
    /// <param name="jitter">A number from 0 to 1 (random outside tests).</param>
    public static TimeSpan Delay(TransmitterException failure, int previousFailures, SharedSignalsReceiverOptions options, double jitter)
    {
        if (IsRefusal(failure))
        {
            return Backoff.Delay(previousFailures, FirstRefusalDelaySeconds, options.MaxRefusedRetryDelaySeconds, jitter);
        }

        var delay = Backoff.Delay(previousFailures, FirstDelaySeconds, options.MaxRetryDelaySeconds, jitter);

        // RFC 9110 §10.2.3: a 429 or 503 may say when to come back (a verification asked for within
        // min_verification_interval is answered 429, SSF 1.0 §8.1.4.2).
        return failure.RetryAfter is { } after && after > delay
            ? TimeSpan.FromSeconds(Math.Min(after.TotalSeconds, options.MaxRefusedRetryDelaySeconds))
            : delay;
    }
}
