using System.Net.WebSockets;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Realtime;

/// <summary>Issue 19: a <c>/ws</c> frame with an escaped lone surrogate gets an error frame, and the connection stays open.</summary>
public sealed class HostileFrameTests : IAsyncLifetime
{
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = SsfTestServer.StartListening();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"type":"subscribe","topic":"news\ud800","token":"x"}""", "/topic")]
    [InlineData("""{"type":"sub\udc00scribe","stream_id":"s"}""", "/type")]
    [InlineData("""{"type":"ack","stream_id":"s","jti":["a","\ud800\ud800"]}""", "/jti/1")]
    [InlineData("""{"type":"subscribe","x\udbff":1}""", " (a member name)")]
    public async Task AFrameWithALoneSurrogate_GetsAnErrorFrameNamingTheMember_AndTheConnectionStaysOpen(string frame, string member)
    {
        await using var ws = await WsClient.ConnectAsync(_server.Issuer);

        await ws.SendTextAsync(frame);

        var error = await ws.ReceiveAsync("error");
        Assert.Equal("invalid_request", (string?)error["error"]);
        Assert.Contains(member + " holds an unpaired surrogate", (string?)error["description"], StringComparison.Ordinal);

        // Still open and answering: the next frame is handled as usual.
        await ws.SendTextAsync("""{"type":"nonsense"}""");
        Assert.Contains("nonsense", (string?)(await ws.ReceiveAsync("error"))["description"], StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, ws.State);
    }
}
