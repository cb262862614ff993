using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Transmitter;

namespace SharpSignals.Receiver.Tests.Streams;

/// <summary>The set-up's back-off as the pure function it is: which failures are refusals, and how long each waits.</summary>
public sealed class SetupRetryTests
{
    private static readonly SharedSignalsReceiverOptions Options = new() { MaxRetryDelaySeconds = 60, MaxRefusedRetryDelaySeconds = 600 };

    [Theory]
    [InlineData(400, true)]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, true)]
    [InlineData(409, true)]
    [InlineData(422, true)]
    [InlineData(408, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(502, false)]
    [InlineData(503, false)]
    public void IsRefusal_TransmitterAnswered_PermanentFor4xxButTimeoutAndTooManyRequests(int status, bool refusal) =>
        Assert.Equal(refusal, SetupRetry.IsRefusal(new TransmitterException("answered") { Status = status }));

    [Fact]
    public void IsRefusal_AnswerTheReceiverCannotUseOrNetworkFailure_OnlyTheAnswerIsARefusal()
    {
        Assert.True(SetupRetry.IsRefusal(new TransmitterException("The metadata names the issuer 'a', not 'b'.")));
        Assert.False(SetupRetry.IsRefusal(new TransmitterException("failed", new HttpRequestException("connection refused"))));
        Assert.False(SetupRetry.IsRefusal(new TransmitterException("failed", new TaskCanceledException("timed out"))));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Delay_RefusedAgainAndAgain_GrowsFromFiveSecondsUpToTheCap(double jitter)
    {
        var refusal = new TransmitterException("answered") { Status = 403 };
        var delays = Enumerable.Range(0, 12).Select(n => SetupRetry.Delay(refusal, n, Options, jitter)).ToList();

        Assert.InRange(delays[0].TotalSeconds, 4, 6);
        var belowCap = delays.TakeWhile(d => d.TotalSeconds < 600 * 0.8).ToList();
        Assert.True(belowCap.Count >= 7, string.Join(", ", delays));
        Assert.All(belowCap.Zip(belowCap.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} after {pair.First}"));
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 4, 600 * 1.2));
        Assert.InRange(delays[^1].TotalSeconds, 600 * 0.8, 600 * 1.2);
    }

    [Fact]
    public void Delay_PassingFailures_KeepTheShortRetryUpToMaxRetryDelay()
    {
        var unavailable = new TransmitterException("answered") { Status = 503 };

        Assert.InRange(SetupRetry.Delay(unavailable, 0, Options, 0.5).TotalSeconds, 0.4, 0.6);
        Assert.InRange(SetupRetry.Delay(unavailable, 30, Options, 0.5).TotalSeconds, 59, 61);
    }

    [Fact]
    public void Delay_TooManyRequestsWithRetryAfter_WaitsAsAsked()
    {
        var tooMany = new TransmitterException("answered") { Status = 429, RetryAfter = TimeSpan.FromSeconds(15) };

        Assert.Equal(TimeSpan.FromSeconds(15), SetupRetry.Delay(tooMany, 0, Options, 0.5));
    }
}
