using Microsoft.Extensions.Options;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Intake;

namespace SharpSignals.Server.Tests.Delivery;

public sealed class DeliveryLagTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly SettableCpu _cpu = new() { Value = 0.9 };

    [Fact]
    public async Task WaitForDelivery_WithNothingReported_GoesOnAtOnce()
    {
        var lag = NewLag();

        var wait = Wait(lag, "p");

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
        Assert.Equal(0, lag.Held);
    }

    [Fact]
    public async Task StreamFallingBehind_OnABusyMachine_HoldsItsProjectOnly_UntilItsDelayShrinks()
    {
        var lag = NewLag();
        FallBehind(lag, "s1", "p");

        var held = Wait(lag, "p");
        var other = Wait(lag, "q");

        Assert.False(held.IsCompleted);
        Assert.True(other.IsCompletedSuccessfully);

        // Half a second later the stream pushes what is 3.5 s old, less than the 4.1 s before.
        _time.Advance(TimeSpan.FromMilliseconds(600));
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(3.5));

        Assert.True(await held.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, lag.Held);
        Assert.Equal(0, lag.TurnedAway);
    }

    [Fact]
    public void StreamFallingBehind_WithCpuToSpare_HoldsNobody()
    {
        // A slow receiver on a machine with cores to spare: holding intake would not speed it up.
        _cpu.Value = 0.1;
        var lag = NewLag();
        FallBehind(lag, "s1", "p");

        var wait = Wait(lag, "p");

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(0, lag.Held);
    }

    [Fact]
    public void StreamCatchingUp_ItsDelayShrinking_HoldsNobody()
    {
        // Back after an outage: an hour behind, but catching up.
        var lag = NewLag();
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromMinutes(59));

        Assert.True(Wait(lag, "p").IsCompletedSuccessfully);
    }

    [Fact]
    public void StreamBehindByLessThanTheLimit_HoldsNobody()
    {
        var lag = NewLag();
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(0.5));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(1.5));

        Assert.True(Wait(lag, "p").IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StreamThatStopsPushing_ReleasesItsProject()
    {
        // Nothing got through (the receiver went down), or the worker stopped: it no longer counts.
        var lag = NewLag();
        FallBehind(lag, "s1", "p");
        var held = Wait(lag, "p");

        lag.Forget("s1");

        Assert.True(await held.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TwoStreamsBehind_TheProjectIsReleasedOnlyWhenNeitherIs()
    {
        var lag = NewLag();
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(3));
        lag.Report("s2", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        lag.Report("s1", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(4.1));
        lag.Report("s2", "p", _time.GetUtcNow() - TimeSpan.FromSeconds(4.1));
        var held = Wait(lag, "p");

        lag.Forget("s1");
        // Kept: a release would complete the hold on another thread, and nothing shows that it did not
        // but a moment's wait.
        await Task.Delay(50);
        Assert.False(held.IsCompleted);

        lag.Forget("s2");
        Assert.True(await held.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StreamStillBehind_AfterTheLongestHold_TurnsTheRequestAway()
    {
        var lag = NewLag();
        FallBehind(lag, "s1", "p");
        var held = Wait(lag, "p");

        await Eventually.TrueAsync(() => held.IsCompleted, "the hold to end as the clock moves", meanwhile: () => _time.Advance(TimeSpan.FromMilliseconds(100)), every: TimeSpan.FromMilliseconds(5));

        Assert.False(await held.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, lag.TurnedAway);
    }

    [Fact]
    public async Task HeldRequest_WhenTheMachineHasCpuAgain_GoesOn()
    {
        var lag = NewLag();
        FallBehind(lag, "s1", "p");
        var held = Wait(lag, "p");

        _cpu.Value = 0.1;
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(await held.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void WithTheHoldOff_NothingIsHeld()
    {
        var lag = NewLag(holdAfterSeconds: 0);
        FallBehind(lag, "s1", "p");

        Assert.True(Wait(lag, "p").IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Gate_WhenDeliveryStaysBehind_GivesNoTurn()
    {
        var options = Options.Create(new IngestOptions { HoldAfterDeliveryDelaySeconds = 2, MaxHoldSeconds = 0 });
        var lag = new DeliveryLag(options, _cpu, _time);
        using var gate = new IngestGate(options, lag);
        FallBehind(lag, "s1", "p");

        Assert.Null(await gate.EnterAsync("p", CancellationToken.None));
        using var turn = await gate.EnterAsync("q", CancellationToken.None);
        Assert.NotNull(turn);
    }

    [Theory]
    [InlineData("some avg10=0.00 avg60=7.76 avg300=35.69 total=20651978949", 20651978949)]
    [InlineData("some avg10=1.00 avg60=0.00 avg300=0.00 total=0", 0)]
    public void CpuPressure_ReadsTheStalledTotal(string line, long microseconds)
    {
        Assert.Equal(TimeSpan.FromMicroseconds(microseconds), CpuPressure.ParseTotal(line));
    }

    [Fact]
    public void CpuPressure_OnThisMachine_IsAShare()
    {
        var share = new CpuPressure(TimeProvider.System).Share;

        Assert.InRange(share, 0, 1);
    }

    /// <summary>Two reports half a second apart, each pushing something older than the limit and older than before.</summary>
    private void FallBehind(DeliveryLag lag, string streamId, string project)
    {
        lag.Report(streamId, project, _time.GetUtcNow() - TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        lag.Report(streamId, project, _time.GetUtcNow() - TimeSpan.FromSeconds(4.1));
    }

    private static Task<bool> Wait(DeliveryLag lag, string project) =>
        lag.WaitForDeliveryAsync(project, CancellationToken.None).AsTask();

    private DeliveryLag NewLag(double holdAfterSeconds = 2) =>
        new(Options.Create(new IngestOptions { HoldAfterDeliveryDelaySeconds = holdAfterSeconds, MaxHoldSeconds = 5 }), _cpu, _time);

    private sealed class SettableCpu() : CpuPressure(TimeProvider.System)
    {
        public double Value { get; set; }

        public override double Share => Value;
    }
}
