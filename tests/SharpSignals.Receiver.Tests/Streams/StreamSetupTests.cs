using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Streams;

/// <summary>SSF 1.0 §8.1.1 and §8.1.4 against a real SharpSignals server: one stream, created once, reused after a restart, verified on every start.</summary>
public sealed class StreamSetupTests
{
    [Theory]
    [InlineData(ReceiverDeliveryMethod.Push)]
    [InlineData(ReceiverDeliveryMethod.Poll)]
    public async Task Start_CreatesStreamOnceAndReusesItAfterRestart_VerifiedEachTime(ReceiverDeliveryMethod delivery)
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        var port = ReceiverApp.FreePort();
        void Configure(SharedSignalsReceiverOptions o)
        {
            o.Issuer = server.Issuer;
            o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
            o.Delivery = delivery;
            o.Events = ["session-revoked", "account-disabled"];
        }

        string firstStream;
        await using (var first = await ReceiverApp.StartAsync(state.Path, Configure, port))
        {
            await first.WaitVerifiedAsync();
            Assert.True(first.Status.WasCreated);
            Assert.Equal("enabled", first.Status.StreamStatus);
            firstStream = first.Status.StreamId!;
        }

        await using (var second = await ReceiverApp.StartAsync(state.Path, Configure, port))
        {
            await second.WaitVerifiedAsync();
            Assert.False(second.Status.WasCreated);
            Assert.Equal(firstStream, second.Status.StreamId);
        }

        var streams = await LocalTransmitter.StreamsAsync(server);
        Assert.Equal(firstStream, Assert.Single(streams).GetProperty("stream_id").GetString());
    }

    [Fact]
    public async Task Start_StreamDeletedAtTransmitter_CreatesAnother()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        void Configure(SharedSignalsReceiverOptions o)
        {
            o.Issuer = server.Issuer;
            o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
            o.Delivery = ReceiverDeliveryMethod.Poll;
        }

        string deleted;
        await using (var first = await ReceiverApp.StartAsync(state.Path, Configure))
        {
            await first.WaitVerifiedAsync();
            deleted = first.Status.StreamId!;
        }

        using (var response = await server.Admin.DeleteAsync($"/ssf/streams?stream_id={deleted}"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        }

        await using var second = await ReceiverApp.StartAsync(state.Path, Configure);
        await second.WaitVerifiedAsync();
        Assert.True(second.Status.WasCreated);
        Assert.NotEqual(deleted, second.Status.StreamId);
    }

    [Fact]
    public async Task Start_WithClientCredentials_GetsTokenAndJoins()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        var (client, clientId, secret) = await server.RegisterClientAsync();
        client.Dispose();

        await using var app = await ReceiverApp.StartAsync(state.Path, o =>
        {
            o.Issuer = server.Issuer;
            o.ClientId = clientId;
            o.ClientSecret = secret;
            o.Delivery = ReceiverDeliveryMethod.Poll;
        });

        await app.WaitVerifiedAsync();
        Assert.True(app.Status.WasCreated);
    }

    [Fact]
    public async Task StreamUpdated_TransmitterPausesTheStream_StatusFollowed()
    {
        // SSF 1.0 §8.1.5: the transmitter pauses an inactive stream on its own and says so first.
        // The server's clock is the test's, so its once-a-minute inactivity check runs when told.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = LocalTransmitter.Start(new Dictionary<string, string?> { ["SharpSignals:Streams:InactivityTimeoutSeconds"] = "60" }, clock);
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.JoinAsync(server, state.Path, ReceiverDeliveryMethod.Push, "session-revoked");
        Assert.Equal("enabled", app.Status.StreamStatus);

        // Past the timeout and the next check; the clock keeps moving so that the server's push retries
        // come due too, but by three minutes at most, within the receiver's five minutes of iat skew.
        var moved = TimeSpan.Zero;
        await Eventually.TrueAsync(
            () =>
            {
                if (moved < TimeSpan.FromMinutes(3))
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                    moved += TimeSpan.FromSeconds(1);
                }

                return app.Status.StreamStatus == "paused";
            },
            "the stream-updated event");
        Assert.False(string.IsNullOrEmpty(app.Status.StreamStatusReason));
    }
}
