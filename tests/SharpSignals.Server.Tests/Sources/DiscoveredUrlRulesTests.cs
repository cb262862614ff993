using SharpSignals.Server.Outbound;
using SharpSignals.Server.Sources;
using SharpSignals.Server.Streams;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// A <c>jwks_uri</c> read from a source's discovery document obeys the same https rule as one given
/// for the stream. The discovery document is a real one on loopback; to reach it while the https rule
/// holds, the policy here is the https half of production with loopback allowed.
/// </summary>
public sealed class DiscoveredUrlRulesTests
{
    [Fact]
    public async Task DiscoveredHttpJwksUri_WhenHttpsIsRequired_IsRefusedAndNotFetched()
    {
        await using var transmitter = await TestTransmitter.StartAsync();
        using var keys = Keys(new OutboundAddressPolicy(requireHttps: true, allowInternal: true), out var http);
        using var _ = http;

        var failure = await Assert.ThrowsAsync<JwksFetchException>(async () =>
            await keys.For(new SourceConfiguration { Issuer = transmitter.Issuer }).LookupAsync(null, CancellationToken.None));

        Assert.Contains("jwks_uri", failure.Message, StringComparison.Ordinal);
        Assert.Contains("must use https", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, transmitter.JwksFetches);
    }

    [Fact]
    public async Task DiscoveredHttpJwksUri_WithAllowInsecureHttp_IsFetched()
    {
        await using var transmitter = await TestTransmitter.StartAsync();
        using var keys = Keys(new OutboundAddressPolicy(requireHttps: false, allowInternal: true), out var http);
        using var _ = http;

        var lookup = await keys.For(new SourceConfiguration { Issuer = transmitter.Issuer }).LookupAsync(null, CancellationToken.None);

        Assert.NotEmpty(lookup.Keys);
        Assert.Equal(1, transmitter.JwksFetches);
    }

    private static SourceKeys Keys(OutboundAddressPolicy policy, out SourceHttp http)
    {
        http = new SourceHttp(policy);
        var client = new SourceClient(http, TimeProvider.System);
        return new SourceKeys(http, client, policy, TimeProvider.System);
    }
}
