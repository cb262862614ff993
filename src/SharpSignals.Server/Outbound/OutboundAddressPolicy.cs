using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Outbound;

/// <summary>
/// Where this server may send requests (pushes, and later JWKS and discovery fetches): never to
/// loopback, link-local, private or otherwise internal addresses, unless <c>AllowInsecureHttp</c> is
/// set for development (docs/ARCHITECTURE.md, "Security"). URLs are checked when configured, and the address
/// actually connected to is checked again at connect time, so DNS cannot be used to slip past.
/// </summary>
internal sealed class OutboundAddressPolicy(IOptions<ServerOptions> options)
{
    public bool AllowInsecure => options.Value.AllowInsecureHttp;

    /// <summary>Why the URL may not be used as a push endpoint, or null when it may.</summary>
    public string? CheckUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute https URL";
        }

        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a fragment or user information";
        }

        if (AllowInsecure)
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must use https";
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IsInternal(address))
            ? "must not point at a loopback, private or link-local address"
            : null;
    }

    /// <summary>Whether a resolved address may be connected to.</summary>
    public bool MayConnect(IPAddress address) => AllowInsecure || !IsInternal(address);

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] >= 64 && b[1] < 128,         // carrier-grade NAT, RFC 6598
            169 => b[1] == 254,                       // link-local, cloud metadata
            172 => b[1] >= 16 && b[1] < 32,
            192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0),
            198 => b[1] == 18 || b[1] == 19,          // benchmarking, RFC 2544
            >= 224 => true,                           // multicast and reserved
            _ => false,
        };
    }
}
