using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Intake;

/// <summary>
/// Events published to a real SharpSignals server reach the receiver's typed handlers, by push and by
/// poll, once per jti. The server re-signs each event for the stream (a new jti per stream), so events
/// are told apart here by what they carry.
/// </summary>
public sealed class DeliveryTests
{
    [Theory]
    [InlineData(ReceiverDeliveryMethod.Push)]
    [InlineData(ReceiverDeliveryMethod.Poll)]
    public async Task Publish_EveryCaepAndRiscType_DispatchedOnceToItsTypedHandler(ReceiverDeliveryMethod delivery)
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, delivery);

        foreach (var (type, (_, payload)) in EventSamples.CaepAndRisc)
        {
            await SsfTestServer.PublishAsync(server.Admin, EventSamples.Publish(type, payload));
        }

        var expected = EventSamples.CaepAndRisc.Values.Select(v => v.Record).ToHashSet();
        try
        {
            await Eventually.TrueAsync(() => expected.IsSubsetOf(app.Recorded.Typed.Select(t => t.HandledAs)), "every event type to reach its handler");
        }
        catch (TimeoutException)
        {
            Assert.Fail("missing: " + string.Join(", ", expected.Except(app.Recorded.Typed.Select(t => t.HandledAs)).Select(t => t.Name)) + " " + (await server.Admin.GetStringAsync($"/ssf/streams?stream_id={app.Status.StreamId}")) + app.Status.LastError);
        }
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, app.Status.StreamId!) == 0, "every SET to be acknowledged");

        // Each type once, through its own interface, and each SET also through the catch-all handler.
        Assert.Equal(expected.Count, app.Recorded.Typed.Count);
        Assert.All(expected, record => Assert.Single(app.Recorded.Typed, t => t.HandledAs == record));
        Assert.All(app.Recorded.Typed, t => Assert.Single(app.Recorded.All, j => j == t.Jti));
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, app.Status.StreamId!));
    }

    [Theory]
    [InlineData(ReceiverDeliveryMethod.Push)]
    [InlineData(ReceiverDeliveryMethod.Poll)]
    public async Task Replay_SameJtisDeliveredAgain_HandlersCalledOnceAndAcknowledged(ReceiverDeliveryMethod delivery)
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, delivery, "session-revoked");
        var streamId = app.Status.StreamId!;
        for (var i = 0; i < 3; i++)
        {
            await SsfTestServer.PublishAsync(server.Admin, SsfTestServer.SessionRevoked($"user{i}@example.com"));
        }

        await Eventually.TrueAsync(() => app.Recorded.Typed.Count == 3, "the first deliveries");
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, streamId) == 0, "the first acknowledgements");
        var handledBefore = app.Recorded.All.Count;

        // The server sends the same signed SETs again (RFC 8935 §2: a resent SET is answered as if new).
        Assert.True(await LocalTransmitter.ReplayAllAsync(server, streamId) >= 3);
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, streamId) == 0, "the replayed SETs to be acknowledged");

        Assert.Equal(3, app.Recorded.Typed.Select(t => t.Jti).Distinct().Count());
        Assert.Equal(3, app.Recorded.Typed.Count);
        Assert.Equal(handledBefore, app.Recorded.All.Count);
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, streamId));
    }
}
