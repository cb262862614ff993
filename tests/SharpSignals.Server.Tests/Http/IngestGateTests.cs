using Microsoft.Extensions.Options;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Tests.Http;

public sealed class IngestGateTests
{
    [Fact]
    public async Task EnterAsync_PastTheTurns_WaitsInOrder_AndPastTheQueue_IsRefused()
    {
        using var gate = new IngestGate(Options.Create(new IngestOptions { MaxConcurrent = 1, MaxQueued = 1 }));

        var first = await gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None).AsTask();
        var third = await gate.EnterAsync(CancellationToken.None);

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
        using var gate = new IngestGate(Options.Create(new IngestOptions { MaxConcurrent = 0, MaxQueued = 0 }));

        var turns = new List<IngestGate.Turn?>();
        for (var i = 0; i < 100; i++)
        {
            turns.Add(await gate.EnterAsync(CancellationToken.None));
        }

        Assert.All(turns, Assert.NotNull);
    }
}
