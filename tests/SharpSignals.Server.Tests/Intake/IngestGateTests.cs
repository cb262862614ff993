using Microsoft.Extensions.Options;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Intake;

namespace SharpSignals.Server.Tests.Intake;

public sealed class IngestGateTests
{
    [Fact]
    public async Task EnterAsync_PastTheTurns_WaitsInOrder_AndPastTheQueue_IsRefused()
    {
        var options = Options.Create(new IngestOptions { MaxConcurrent = 1, MaxQueued = 1 });
        using var gate = new IngestGate(options, new DeliveryLag(options, new CpuPressure(TimeProvider.System), TimeProvider.System));

        var first = await gate.EnterAsync("p", CancellationToken.None);
        var second = gate.EnterAsync("p", CancellationToken.None).AsTask();
        var third = await gate.EnterAsync("p", CancellationToken.None);

        Assert.NotNull(first);
        Assert.False(second.IsCompleted);
        Assert.Null(third);

        first.Dispose();
        using var turn = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(turn);
    }

    [Fact]
    public async Task EnterAsync_WithTheLimitOff_NeverWaits()
    {
        var options = Options.Create(new IngestOptions { MaxConcurrent = 0, MaxQueued = 0 });
        using var gate = new IngestGate(options, new DeliveryLag(options, new CpuPressure(TimeProvider.System), TimeProvider.System));

        var turns = new List<IngestGate.Turn?>();
        for (var i = 0; i < 100; i++)
        {
            turns.Add(await gate.EnterAsync("p", CancellationToken.None));
        }

        Assert.All(turns, Assert.NotNull);
    }
}
