using System.Net;
using SharpSignals.Server.Outbound;

namespace SharpSignals.Server.Tests.Outbound;

/// <summary>
/// The outbound address rules as a pure function over a table of addresses (docs/OPERATIONS.md,
/// "Outbound requests"): nothing here sends a packet to any of them.
/// </summary>
public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]                // "this network"
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]             // shared address space
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]        // cloud metadata
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.0.0.8")]              // IETF protocol assignments
    [InlineData("192.0.2.1")]              // TEST-NET-1
    [InlineData("192.88.99.1")]            // 6to4 relay anycast
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]             // benchmarking
    [InlineData("198.19.255.254")]
    [InlineData("198.51.100.7")]           // TEST-NET-2
    [InlineData("203.0.113.9")]            // TEST-NET-3
    [InlineData("224.0.0.1")]              // multicast
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]              // reserved
    [InlineData("255.255.255.255")]        // broadcast
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]       // IPv4-mapped
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]            // IPv4-compatible
    [InlineData("::ffff:0:169.254.169.254")] // SIIT IPv4-translated
    [InlineData("64:ff9b::127.0.0.1")]     // NAT64 well-known prefix
    [InlineData("64:ff9b::a9fe:a9fe")]     // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::c000:201")]      // NAT64 of 192.0.2.1
    [InlineData("64:ff9b:1::10.0.0.1")]    // NAT64 local-use prefix, /96 form
    [InlineData("64:ff9b:1:2::808:808")]   // local-use prefix of another length: cannot be judged
    [InlineData("2002:7f00:1::1")]         // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1")]      // 6to4 of 169.254.169.254
    [InlineData("2002:c0a8:101::1")]       // 6to4 of 192.168.1.1
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe")] // Teredo, client 127.0.0.1 (bits inverted)
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe")] // Teredo, client 10.0.0.1
    [InlineData("2001:0:a00:1::f7f7:f7f7")]               // Teredo, server 10.0.0.1
    [InlineData("2001:db8::1")]            // documentation
    [InlineData("3fff::1")]                // documentation, RFC 9637
    [InlineData("100::1")]                 // discard-only
    [InlineData("2001:2::1")]              // benchmarking
    [InlineData("fc00::1")]                // unique local
    [InlineData("fd12:3456:789a::1")]
    [InlineData("fe80::1")]                // link-local
    [InlineData("fec0::1")]                // site-local
    [InlineData("ff02::1")]                // multicast
    [InlineData("ff0e::fb")]
    public void IsInternal_SpecialPurposeAddress_IsTrue(string address) =>
        Assert.True(OutboundAddressPolicy.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]         // just below the shared address space
    [InlineData("100.128.0.1")]            // just above it
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("192.0.1.1")]
    [InlineData("192.0.3.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]       // NAT64 of 8.8.8.8
    [InlineData("64:ff9b:1::808:808")]
    [InlineData("2002:808:808::1")]        // 6to4 of 8.8.8.8
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")] // Teredo, client 8.8.8.8
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700:4700::1111")]
    public void IsInternal_PublicAddress_IsFalse(string address) =>
        Assert.False(OutboundAddressPolicy.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("203.0.113.9")]
    [InlineData("2002:7f00:1::1")]
    public void MayConnect_InternalAddress_OnlyWhenInternalAddressesAreAllowed(string address)
    {
        Assert.False(new OutboundAddressPolicy(requireHttps: true, allowInternal: false).MayConnect(IPAddress.Parse(address)));
        Assert.True(new OutboundAddressPolicy(requireHttps: false, allowInternal: true).MayConnect(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("https://[64:ff9b::7f00:1]/events", "loopback, private or link-local")]
    [InlineData("https://[2002:a9fe:a9fe::1]/latest", "loopback, private or link-local")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "loopback, private or link-local")]
    [InlineData("https://198.51.100.7/events", "loopback, private or link-local")]
    [InlineData("https://100.64.0.1/events", "loopback, private or link-local")]
    [InlineData("https://[fd00::1]/events", "loopback, private or link-local")]
    [InlineData("http://receiver.example/events", "must use https")]
    [InlineData("https://receiver.example/events", null)]
    public void CheckUrl_InProduction(string url, string? expected)
    {
        var problem = new OutboundAddressPolicy(requireHttps: true, allowInternal: false).CheckUrl(url);

        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(expected, problem, StringComparison.Ordinal);
        }
    }
}
