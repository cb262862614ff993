using System.Net;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Outbound;

/// <summary>The connect-time check of <see cref="GuardedHttpHandler"/>, against loopback only.</summary>
public sealed class GuardedHttpHandlerTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task Connect_ToLoopbackInProduction_IsRefusedBeforeAnyRequest(string host)
    {
        await using var transmitter = await TestTransmitter.StartAsync();
        var port = new Uri(transmitter.Issuer).Port;
        using var http = new HttpClient(GuardedHttpHandler.Create(new OutboundAddressPolicy(requireHttps: false, allowInternal: false)));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://{host}:{port}/jwks.json"));

        Assert.Equal(HttpRequestError.ConnectionError, failure.HttpRequestError);
        Assert.Equal(0, transmitter.JwksFetches);
    }

    [Fact]
    public async Task Connect_ToLoopbackWhenInternalAddressesAreAllowed_Answers()
    {
        await using var transmitter = await TestTransmitter.StartAsync();
        using var http = new HttpClient(GuardedHttpHandler.Create(new OutboundAddressPolicy(requireHttps: false, allowInternal: true)));

        using var response = await http.GetAsync(transmitter.JwksUri);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, transmitter.JwksFetches);
    }

    /// <summary>
    /// Through a proxy the connected address would be the proxy's, so the target could not be judged:
    /// HTTP_PROXY, HTTPS_PROXY and the system proxy are not used.
    /// </summary>
    [Fact]
    public void Handler_UsesNoAmbientProxy()
    {
        using var handler = GuardedHttpHandler.Create(new OutboundAddressPolicy(requireHttps: true, allowInternal: false));

        Assert.False(handler.UseProxy);
    }
}
