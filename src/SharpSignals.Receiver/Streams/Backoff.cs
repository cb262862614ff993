namespace SharpSignals.Receiver.Streams;

/// <summary>Exponential back-off with ±20 % jitter, so that receivers failing together do not retry together.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int previousFailures, int maxSeconds)
    {
        var seconds = Math.Min(Math.Pow(2, Math.Min(previousFailures, 20)) * 0.5, maxSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }
}
