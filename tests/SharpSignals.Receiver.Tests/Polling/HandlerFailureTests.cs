using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Polling;

/// <summary>
/// RFC 8936 §2.6 keeps <c>setErrs</c> for invalid SETs: a handler that fails makes the SET come again
/// (poll: not acknowledged; push: 503), never a dead letter, and it is acknowledged once a handler run succeeds.
/// </summary>
public sealed class HandlerFailureTests
{
    [Theory]
    [InlineData(ReceiverDeliveryMethod.Poll)]
    [InlineData(ReceiverDeliveryMethod.Push)]
    public async Task HandlerFails_SetNotAcknowledgedNorRefused_HandledOnceItSucceeds(ReceiverDeliveryMethod delivery)
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, delivery, "session-revoked");
        var streamId = app.Status.StreamId!;

        app.Recorded.Fail = true;
        await SsfTestServer.PublishAsync(server.Admin, SsfTestServer.SessionRevoked());
        await Eventually.TrueAsync(() => app.Recorded.Failures >= 2, "the handler to fail, and fail again on the SET sent again");

        Assert.Equal(1, await LocalTransmitter.PendingAsync(server, streamId));
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, streamId));
        Assert.Empty(app.Recorded.Typed);

        app.Recorded.Fail = false;
        await Eventually.TrueAsync(() => app.Recorded.Typed.Count == 1, "the retried SET to be handled");
        await Eventually.TrueAsync(async () => await LocalTransmitter.PendingAsync(server, streamId) == 0, "the acknowledgement");
        Assert.Empty(await LocalTransmitter.DeadLettersAsync(server, streamId));
    }
}
