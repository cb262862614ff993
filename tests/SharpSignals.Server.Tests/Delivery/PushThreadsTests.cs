using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Server.Routing;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>
/// The bounded push threads (<see cref="PushThreads"/>): a worker's continuations come back to its
/// thread, lanes go to others, many streams share them; and the one sweep of idle streams
/// (<see cref="IdlePushStreams"/>) that finds what a lost signal would have left waiting.
/// </summary>
public sealed class PushThreadsTests
{
    [Fact]
    public async Task Continuations_ResumeOnTheWorkersPushThread_AndLanesRunOnTheNext()
    {
        using var threads = new PushThreads(Options.Create(new PushOptions { Threads = 2 }));
        var worker = threads.Next();
        var lane = threads.After(worker, 1);

        var (before, after, laneThread) = await worker.RunAsync(async () =>
        {
            var first = Environment.CurrentManagedThreadId;

            // A real wait that completes on a timer thread: the continuation is posted back.
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            var second = Environment.CurrentManagedThreadId;
            var other = await lane.RunAsync(async () =>
            {
                await Task.Yield();
                return Environment.CurrentManagedThreadId;
            });
            Assert.Equal(first, Environment.CurrentManagedThreadId);
            return (first, second, other);
        });

        Assert.Equal(before, after);
        Assert.NotEqual(before, laneThread);
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public async Task AFailure_ReachesTheCallerAsItself()
    {
        using var threads = new PushThreads(Options.Create(new PushOptions { Threads = 1 }));

        await Assert.ThrowsAsync<TimeoutException>(() => threads.Next().RunAsync(async () =>
        {
            await Task.Yield();
            throw new TimeoutException("from the worker");
        }));
    }

    [Fact]
    public async Task ManyStreams_OnTwoPushThreads_EachDelivers()
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Push:Threads"] = "2" });
        await using var endpoint = await RecordingReceiver.StartAsync();
        var (client, _, _) = await server.RegisterClientAsync();
        using var owned = client;
        const int streams = 24;
        for (var i = 0; i < streams; i++)
        {
            await SsfTestServer.CreateStreamAsync(client, new
            {
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                delivery = new { method = DeliveryMethods.Push, endpoint_url = endpoint.Url() },
            });
        }

        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());

        await endpoint.WaitForAsync(streams);
        Assert.Equal(2, server.Factory.Services.GetRequiredService<PushThreads>().Count);
    }

    [Fact]
    public async Task Sweep_WakesAnIdleStreamWithPendingEntries_AndNoOther()
    {
        await using var server = new SsfTestServer();
        var (client, _, _) = await server.RegisterClientAsync();
        using var owned = client;
        var created = await SsfTestServer.CreateStreamAsync(client, new
        {
            events_requested = new[] { EventTypes.Caep.SessionRevoked },
            delivery = new { method = DeliveryMethods.Poll },
        });
        var streamId = (string)created["stream_id"]!;
        var idle = server.Factory.Services.GetRequiredService<IdlePushStreams>();
        var signals = server.Factory.Services.GetRequiredService<StreamSignals>();
        var deliveries = server.Factory.Services.GetRequiredService<IDeliveryStore>();
        using var stop = new CancellationTokenSource();

        // Waiting as an idle worker does, on a signal nobody will give: nothing pending, nothing woken.
        var waiting = idle.WaitAsync(streamId, signals.Next(streamId), stop.Token);
        Assert.Equal(0, await idle.SweepAsync(CancellationToken.None));
        Assert.False(waiting.IsCompleted);

        // An entry arrives; its signal already went (to this stream's long polls, none), so only the sweep finds it.
        await SsfTestServer.PublishAsync(client, SsfTestServer.SessionRevoked());
        var again = signals.Next(streamId);
        await Eventually.TrueAsync(async () => await deliveries.CountPendingAsync(streamId, CancellationToken.None) == 1, "the event to be routed to the stream");

        // The publish's signal ended the first wait; a worker waits again only after that, never beside it.
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        var waitingAgain = idle.WaitAsync(streamId, again, stop.Token);

        Assert.Equal(1, await idle.SweepAsync(CancellationToken.None));
        await waitingAgain.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
    }
}
