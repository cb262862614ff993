namespace SharpSignals.Receiver.Streams;

/// <summary>Exponential back-off with ±20 % jitter, so that receivers failing together do not retry together.</summary>
internal static class Backoff
{
    /// <summary>Half a second, doubled after every failure, up to <paramref name="maxSeconds"/>.</summary>
    public static TimeSpan Delay(int previousFailures, int maxSeconds) => Delay(previousFailures, 0.5, maxSeconds, Random.Shared.NextDouble());

    /// <summary>
    /// <paramref name="initialSeconds"/> doubled after every failure, capped at <paramref name="maxSeconds"/>, times
    /// 0.8 to 1.2 as <paramref name="jitter"/> goes from 0 to 1. Each delay below the cap is longer than the one before
    /// whatever the jitter (1.6 times the last at least against 1.2 at most).
    /// </summary>
    public static TimeSpan Delay(int previousFailures, double initialSeconds, int maxSeconds, double jitter)
    {
        var seconds = Math.Min(Math.Pow(2, Math.Min(previousFailures, 20)) * initialSeconds, maxSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + (Math.Clamp(jitter, 0, 1) * 0.4)));
    }
}
